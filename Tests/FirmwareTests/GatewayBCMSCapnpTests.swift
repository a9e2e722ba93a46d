import Foundation
import TestSupport
import Testing

/// The original BCMS's own RPC client (pycapnp, with our copy of the original's schema)
/// against the gateway's Cap'n Proto door, which shares the RPC port with JSON-RPC.
@Suite("BCMS Cap'n Proto door, with pycapnp as the client", .serialized)
struct GatewayBCMSCapnpTests {
    /// Runs `tools/bcms-capnp-client.py` and returns its steps by name (the last of each).
    private func client(_ port: Int, _ arguments: [String]) throws -> (status: Int32, steps: [String: [String: Any]], output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ToolSimulator.script("bcms-capnp-client.py"), "--port", String(port)] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        var steps: [String: [String: Any]] = [:]
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = object["step"] as? String else { continue }
            steps[step] = object
        }
        return (process.terminationStatus, steps, text)
    }

    private func cli(_ arguments: [String], data: String) throws -> (Int32, String) {
        let result = try ChildProcess.run(Products.executable("switchyard"), arguments,
                                          environment: ["SWITCHYARD_DATA": data])
        return (result.status, result.stdout + result.stderr)
    }

    @Test("all eight methods with real results, the pipelined first call, unknown methods, bad messages closing only their connection; JSON-RPC on the same port")
    func pycapnpClientAgainstTheGateway() throws {
        let sim = try HCISimulator()
        let mgmt = try MgmtSimulator(delay: 0.3)
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway-capnp")
        #expect(ChildProcessConfig.set([
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.mgmt_socket": mgmt.path, "ble.capnp": "true",
            "ble.publish_interval_s": "0",
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        #expect(gateway.waitForLog("BCMS Cap'n Proto served on the RPC port", timeout: 20), "\(gateway.log)")
        let observer = try MQTTObserver(port: broker.port, topics: ["switchyard/\(gateway.node)/ble/#"])
        let deviceTopic = "switchyard/\(gateway.node)/ble/A4C138000001"
        #expect(observer.wait(timeout: 20) { lines in
            if !lines.contains(where: { $0.hasPrefix(deviceTopic + " ") }) { sim.send("sensors") }
            return lines.contains { $0.hasPrefix(deviceTopic + " ") }
        }, "\(gateway.log)")

        let address = "A4:C1:38:00:00:01"
        let run = try client(gateway.rpcPort, ["scenario", address])
        #expect(run.status == 0, "\(run.output)\n\(gateway.log)")
        let steps = run.steps
        #expect(steps["mode"]?["mode"] as? String == "approved", "\(run.output)")
        let heard = steps["list"]?["devices"] as? [[String: Any]] ?? []
        #expect(heard.contains { $0["address"] as? String == address && $0["approved"] as? Bool == false }, "\(run.output)")
        #expect(steps["approve"]?["status"] as? Bool == true, "\(run.output)")
        #expect(steps["pair"]?["status"] as? Bool == true, "\(run.output)")
        #expect(steps["unpair"]?["status"] as? Bool == true, "\(run.output)")
        // isPaired follows the kernel's pairing: false, true after pair, false after unpair.
        #expect(steps["isPairedBefore"]?["status"] as? Bool == false, "\(run.output)")
        #expect(steps["isPairedAfterPair"]?["status"] as? Bool == true, "\(run.output)")
        #expect(steps["isPaired"]?["status"] as? Bool == false, "\(run.output)")
        #expect(mgmt.records.contains { $0.hasPrefix("PAIR " + address) }, "\(mgmt.records)")
        let approved = steps["listApproved"]?["devices"] as? [[String: Any]] ?? []
        #expect(approved.count == 1 && approved.first?["approved"] as? Bool == true
                && approved.first?["address"] as? String == address, "\(run.output)")
        #expect(steps["setMode"]?["mode"] as? String == "any" && steps["setMode"]?["status"] as? Bool == false, "\(run.output)")
        #expect((steps["approveBad"]?["errors"] as? [String])?.first?.contains("not a MAC address") == true, "\(run.output)")
        #expect(steps["remove"]?["status"] as? Bool == true, "\(run.output)")
        #expect((steps["listAfterRemove"]?["devices"] as? [Any])?.isEmpty == true, "\(run.output)")
        // The first call went out on the bootstrap's promised answer.
        #expect(gateway.waitForLog(" pipelined)"), "\(gateway.log)")
        #expect(!gateway.log.contains("(0 calls answered"), "\(gateway.log)")

        let unknown = try client(gateway.rpcPort, ["unknown"])
        #expect(unknown.steps["explode"]?["type"] as? String == "UNIMPLEMENTED", "\(unknown.output)")
        #expect(unknown.steps["afterUnknown"] != nil, "the connection stays up: \(unknown.output)")

        for kind in ["malformed", "oversized"] {
            let bad = try client(gateway.rpcPort, [kind])
            #expect(bad.steps[kind]?["closed"] as? Bool == true, "\(bad.output)")
            #expect(bad.steps[kind]?["otherConnectionWorks"] as? Bool == true, "\(bad.output)")
        }
        #expect(gateway.log.contains("pointer out of bounds"), "\(gateway.log)")
        #expect(gateway.log.contains("message too large"), "\(gateway.log)")

        // JSON-RPC on the same port, as before.
        let (status, shown) = try cli(["bcms", "mode", "--port", String(gateway.rpcPort)], data: data.path)
        #expect(status == 0 && shown.contains("passive"), "\(shown)")
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
    }

    @Test("not offered when rpc.bind is not loopback: the original protocol has no token")
    func refusedOnANetworkBind() throws {
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway-capnp-bind")
        #expect(ChildProcessConfig.set([
            "ble.enabled": "true", "ble.adapter": "/nonexistent", "ble.capnp": "true", "rpc.bind": "0.0.0.0",
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        #expect(gateway.waitForLog("BCMS Cap'n Proto not served: rpc.bind 0.0.0.0 is not a loopback address", timeout: 20),
                "\(gateway.log)")
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
    }

    @Test("bcms-daemon with the original's flags serves the original's protocol")
    func daemonServesTheOriginalProtocol() throws {
        let sim = try HCISimulator()
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "bcms-daemon-capnp")
        let rpcPort = FreePort.next()
        #expect(ChildProcessConfig.set(["ble.adapter": sim.path, "rpc.port": String(rpcPort), "console.device": "none"],
                                       data: data.path))
        let link = data.file("bcms-daemon")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: Products.executable("switchyard").path)
        let log = data.file("daemon.log")
        let daemon = try Subprocess(link, ["--debug", "True", "--username", "alice", "--use_device_identity", "False",
                                           "--application_identifier", "vhh-server", "--data", data.path],
                                    environment: ["MQTT_BROKER": "127.0.0.1", "MQTT_PORT": String(broker.port)],
                                    stdout: .file(log), stderr: .file(log))
        let deadline = Date().addingTimeInterval(15)
        var text = ""
        while Date() < deadline {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("JSON-RPC listening") { break }
            usleep(50_000)
        }
        #expect(text.contains("BCMS Cap'n Proto served on the RPC port (127.0.0.1:" + String(rpcPort)), "\(text)")
        let run = try client(rpcPort, ["scenario", "A4:C1:38:00:00:07"])
        #expect(run.steps["mode"]?["mode"] as? String == "approved", "\(run.output)")
        #expect(run.steps["approve"]?["status"] as? Bool == true, "\(run.output)")
        #expect(run.steps["remove"]?["status"] as? Bool == true, "\(run.output)")
        daemon.signal(SIGTERM)
        #expect(daemon.wait(timeout: 10)?.status == 0)
        // The flag turned the door on for this run only.
        let saved = (try? String(contentsOfFile: data.file("config"), encoding: .utf8)) ?? ""
        #expect(!saved.contains("ble.capnp"), "\(saved)")
    }
}
