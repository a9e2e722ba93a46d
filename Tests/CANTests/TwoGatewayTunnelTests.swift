import Foundation
import TestSupport
import Testing

/// Two `switchyard can-tunnel` processes, as PyMQTT2CAN is used: one at the bus (-S), one
/// remote, each on its own simulated CANable, both on one real broker.
@Suite("switchyard can-tunnel: a bus side and a remote side", .serialized)
struct TwoGatewayTunnelTests {
    private func startTunnel(_ sim: SLCANSimulator, broker: MosquittoBroker, server: Bool, log: String,
                             extra: [String] = []) throws -> Subprocess {
        var arguments = ["can-tunnel", "-b", "slcan", "-i", sim.path, "-s", "500000", "-t", "shop/can",
                         "-H", "127.0.0.1", "-P", String(broker.port), "--stats-interval", "0"] + extra
        if server { arguments.append("-S") }
        return try Subprocess(Products.executable("switchyard").path, arguments, stdout: .file(log), stderr: .file(log))
    }

    private func contents(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    @Test("frames tunnel both ways between two gateway processes; SIGTERM stops both cleanly")
    func tunnelsBothWays() throws {
        let broker = try MosquittoBroker()
        let busSide = try SLCANSimulator(), remoteSide = try SLCANSimulator()
        let directory = TemporaryDirectory(prefix: "can-two")
        let serverLog = directory.file("server.log"), clientLog = directory.file("client.log")
        let observer = try CANTestSupport.observer(broker, topics: ["shop/can/#"])
        let server = try startTunnel(busSide, broker: broker, server: true, log: serverLog, extra: ["--client-id", "tunnel-bus"])
        let client = try startTunnel(remoteSide, broker: broker, server: false, log: clientLog,
                                     extra: ["--client-id", "tunnel-remote"])

        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !(contents(serverLog).contains("connected to") && contents(clientLog).contains("connected to")) {
            usleep(20_000)
        }
        #expect(contents(serverLog).contains("connected to"), "server log: \(contents(serverLog))")
        #expect(contents(clientLog).contains("connected to"), "client log: \(contents(clientLog))")
        // Frames published before the broker acknowledged a side's subscription would reach no one.
        #expect(waitUntil(10) { broker.log.contains("Sending SUBACK to tunnel-bus") && broker.log.contains("Sending SUBACK to tunnel-remote") },
                "\(broker.log)")
        // The simulators' records of the open may trail the tunnels' own logs.
        #expect(waitUntil(5) { busSide.records.contains("OPEN normal") })
        #expect(waitUntil(5) { remoteSide.records.contains("OPEN normal") })

        let fromBus = ["t1238DEADBEEF01020304", "T18DAF1103022110", "r7DF4", "b1239000102030405060708090A0B"]
        for line in fromBus { busSide.emit(line) }
        let fromRemote = ["t7DF802010C0000000000", "T18DB33F120201"]
        for line in fromRemote { remoteSide.emit(line) }

        let arrived = waitUntil(10) { remoteSide.transmitted.count >= 4 && busSide.transmitted.count >= 2 }
        #expect(arrived)
        // The payload has no bit rate switch bit, so the FD frame arrives without BRS (d, not b).
        #expect(remoteSide.transmitted == ["t1238DEADBEEF01020304", "T18DAF1103022110", "r7DF4", "d1239000102030405060708090A0B"])
        #expect(busSide.transmitted == fromRemote)
        // The observer is its own process: its lines may trail the simulators' by a moment.
        observer.wait(timeout: 5) { $0.count >= 5 }
        let topics = Set(observer.lines.compactMap(CANTestSupport.split).map { $0.topic })
        #expect(topics == ["shop/can/291", "shop/can/417001744", "shop/can/2015", "shop/can/s/2015", "shop/can/s/417018865"])

        for process in [server, client] { process.signal(SIGTERM) }
        #expect(server.wait(timeout: 5)?.status == 0)
        #expect(client.wait(timeout: 5)?.status == 0)
        #expect(contents(serverLog).contains("\"published\":4"), "server log: \(contents(serverLog))")
        #expect(contents(clientLog).contains("\"frames_out\":4"), "client log: \(contents(clientLog))")
    }

    @Test("-p PASSWORD does not stay in /proc/PID/cmdline, where every local user can read it")
    func passwordNotInCommandLine() throws {
        let broker = try MosquittoBroker()
        let sim = try SLCANSimulator()
        let directory = TemporaryDirectory(prefix: "can-pw")
        let log = directory.file("tunnel.log")
        let tunnel = try startTunnel(sim, broker: broker, server: true, log: log,
                                     extra: ["-u", "gateway", "-p", "hunter2-secret"])
        defer { tunnel.signal(SIGKILL) }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !contents(log).contains("connected to") { usleep(20_000) }
        #expect(contents(log).contains("connected to"), "the tunnel still works: \(contents(log))")
        let cmdline = try #require(FileManager.default.contents(atPath: "/proc/\(tunnel.pid)/cmdline"))
        let words = String(decoding: cmdline, as: UTF8.self).split(separator: "\0").map(String.init)
        #expect(words.contains("-p") && words.contains("gateway"), "\(words)")
        #expect(!words.joined(separator: " ").contains("hunter2"), "\(words)")
        #expect(!contents(log).contains("hunter2"))
    }

    @Test("--help lists the seed's flags and defaults; a bad bit rate is a usage error")
    func helpAndUsage() throws {
        let binary = Products.executable("switchyard")
        let help = try ChildProcess.run(binary, ["can-tunnel", "--help"])
        #expect(help.status == 0)
        for flag in ["-b TYPE", "-i NAME", "-s BITRATE", "-u USER", "-p PASSWORD", "-t TOPIC", "-H HOST", "-P PORT", "-S",
                     "default socketcan", "default can0", "default 500000", "default can)", "localhost unless set", "1883 unless set"] {
            #expect(help.stdout.contains(flag), "help lacks \(flag)")
        }
        let bad = try ChildProcess.run(binary, ["can-tunnel", "-b", "slcan", "-i", "/dev/null", "-s", "123"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("10000, 20000"))
        let broker = try MosquittoBroker()
        let missing = try ChildProcess.run(binary, ["can-tunnel", "-b", "slcan", "-i", "/dev/nonexistent-slcan",
                                                    "-H", "127.0.0.1", "-P", String(broker.port)])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/dev/nonexistent-slcan"))
    }

    private func waitUntil(_ seconds: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test("the broker defaults are run's (mqtt.* settings); whom it connects to is said; a refusal ends it")
    func brokerDefaultsAndRefusal() throws {
        let binary = Products.executable("switchyard")
        let directory = TemporaryDirectory(prefix: "passwd")
        let passwords = directory.file("passwd")
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/mosquitto_passwd"), ["-b", "-c", passwords, "tunnel", "right"])
        chmod(directory.path, 0o755)
        chmod(passwords, 0o644)
        let broker = try MosquittoBroker(extraConfig: "password_file \(passwords)\n")
        // No -H/-P: the saved mqtt.* settings, as `run` reads them, name the broker.
        let data = TemporaryDirectory(prefix: "tunnel-data")
        #expect(ChildProcessConfig.set(["mqtt.host": "127.0.0.1", "mqtt.port": String(broker.port)], data: data.path))
        let refused = try ChildProcess.run(binary, ["can-tunnel", "-b", "synthetic", "--data", data.path,
                                                    "-u", "tunnel", "-p", "wrong"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("connecting to 127.0.0.1:\(broker.port) as switchyard-can-"), "\(refused.stderr)")
        #expect(refused.stderr.contains("refused the connection"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("wrong"), "the password is never printed")
        // Nothing listening: said within the connect timeout, exit 1.
        let closed = FreePort.next()
        let timedOut = try ChildProcess.run(binary, ["can-tunnel", "-b", "synthetic", "-H", "127.0.0.1", "-P", String(closed),
                                                     "--connect-timeout", "2"])
        #expect(timedOut.status == 1)
        #expect(timedOut.stderr.contains("no connection to 127.0.0.1:\(closed) within 2 s"), "\(timedOut.stderr)")
    }
}
