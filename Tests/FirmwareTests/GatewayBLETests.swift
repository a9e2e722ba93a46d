import Foundation
import TestSupport
import Testing

/// `switchyard run` with BLE on a simulated HCI UART controller, and the seed's `bcms` CLI
/// (as `switchyard bcms` and as a `bcms` symlink) talking to it over the JSON-RPC port.
@Suite("switchyard run with BLE, and the bcms CLI", .serialized)
struct GatewayBLETests {
    /// Runs `executable args` and returns its exit status and standard output.
    /// `data` is the gateway's data directory, where the CLI finds the RPC door's token.
    private func run(_ executable: String, _ arguments: [String], data: String? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let data { process.environment = ProcessInfo.processInfo.environment.merging(["SWITCHYARD_DATA": data]) { $1 } }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("adverts reach the broker; bcms approve, list, mode, set_mode and errors round-trip over RPC")
    func bcmsRoundTrips() throws {
        let sim = try HCISimulator()
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway-ble")
        #expect(ChildProcessConfig.set([
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0",
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        let observer = try MQTTObserver(port: broker.port, topics: ["switchyard/\(gateway.node)/ble/#"])
        let deviceTopic = "switchyard/\(gateway.node)/ble/A4C138000001"
        #expect(observer.wait(timeout: 20) { lines in
            if !lines.contains(where: { $0.hasPrefix(deviceTopic + " ") }) { sim.send("sensors") }
            return lines.contains { $0.hasPrefix(deviceTopic + " ") && $0.contains("\"temperature\":25") }
        }, "\(gateway.log)")

        let binary = Products.executable("switchyard").path
        let port = String(gateway.rpcPort)
        let (approveStatus, approved) = try run(binary, ["bcms", "approve", "--address", "A4:C1:38:00:00:01", "--port", port], data: data.path)
        #expect(approveStatus == 0, "\(approved)")
        #expect(approved.contains("\"status\":true"))

        // Busybox style: the same binary run as `bcms`.
        let link = data.file("bcms")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: binary)
        let (listStatus, list) = try run(link, ["list", "--only_approved", "--port", port], data: data.path)
        #expect(listStatus == 0, "\(list)")
        let object = try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [String: Any]
        let devices = try #require(object?["devices"] as? [[String: Any]], "\(list)")
        #expect(devices.count == 1)
        #expect(devices.first?["address"] as? String == "A4:C1:38:00:00:01")
        // No backend configured: approved, no id until a backend assigns one (issue 22).
        #expect(devices.first?["approved"] as? Bool == true)
        #expect(devices.first?["iotDeviceId"] is NSNull)

        #expect(try run(link, ["mode", "--port", port], data: data.path).1.contains("\"mode\":\"passive\""))
        #expect(try run(link, ["set_mode", "--mode", "active", "--port", port], data: data.path).0 == 0)
        #expect(try run(link, ["mode", "--port", port], data: data.path).1.contains("\"mode\":\"active\""))
        let (badStatus, bad) = try run(link, ["set_mode", "--mode", "sideways", "--port", port], data: data.path)
        #expect(badStatus == 1 && bad.contains("off, passive or active"), "\(bad)")
        let (addressStatus, badAddress) = try run(link, ["approve", "--address", "zz", "--port", port], data: data.path)
        #expect(addressStatus == 1 && badAddress.contains("not a MAC address"), "\(badAddress)")
        #expect(try run(link, ["--help"]).1.contains("{list,approve,remove,mode,set_mode,pair,unpair,is_paired}"))
        let (_, unknown) = try run(link, ["explode", "--port", port], data: data.path)
        #expect(unknown.contains("unknown BCMS method"), "\(unknown)")

        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
        // The approval was saved: the next start knows it.
        let saved = try String(contentsOfFile: data.file("config"), encoding: .utf8)
        #expect(saved.contains("A4:C1:38:00:00:01="), "\(saved)")
        #expect(saved.contains("ble.mode"), "\(saved)")
    }

    @Test("pairing through a simulated kernel mgmt channel: RPC in order, a client leaving early, MQTT, the CLI, keys reloaded after a restart")
    func pairingThroughEveryDoor() throws {
        let sim = try HCISimulator()
        let mgmt = try MgmtSimulator(delay: 1.0)
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway-pair")
        // Pairing changes state: over MQTT it needs cmnd.allow_privileged, which this test of
        // deferred answers on every door turns on (MQTTDoorPolicyTests checks the refusal).
        #expect(ChildProcessConfig.set([
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.mgmt_socket": mgmt.path, "cmnd.allow_privileged": "true",
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        #expect(gateway.waitForLog("keys of 0 paired devices loaded", timeout: 20), "\(gateway.log)")

        // RPC: the pair reply comes when pairing is done; is_paired, sent right behind it on the
        // same connection, runs only after it (so it already sees the device paired).
        let rpc = try gateway.rpcClient()
        let start = Date()
        let pair = #"{"jsonrpc":"2.0","id":1,"method":"bcms","params":["pair","--address","A4:C1:38:00:00:01"]}"#
        let isPaired = #"{"jsonrpc":"2.0","id":2,"method":"bcms","params":["is_paired","--address","A4:C1:38:00:00:01"]}"#
        let first = try rpc.send(line: pair + "\n" + isPaired)
        #expect(Date().timeIntervalSince(start) >= 0.9)
        #expect(first.contains(#""id":1"#) && first.contains(#""status":true"#), "\(first)")
        let second = try rpc.readLine()
        #expect(second.contains(#""id":2"#) && second.contains(#""status":true"#), "\(second)")

        // A client that leaves before its answer: the gateway pairs anyway and serves the rest.
        let leaving = FreePort.connect(gateway.rpcPort)
        let lines = #"{"jsonrpc":"2.0","id":0,"method":"auth","params":["\#(gateway.rpcToken)"]}"# + "\n"
            + #"{"jsonrpc":"2.0","id":3,"method":"bcms","params":["pair","C2:76:12:34:56:78"]}"# + "\n"
        _ = Array(lines.utf8).withUnsafeBytes { Glibc.send(leaving, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let deadline = Date().addingTimeInterval(5)
        while !mgmt.records.contains(where: { $0.hasPrefix("PAIR C2:76:12:34:56:78") }) && Date() < deadline { usleep(20_000) }
        close(leaving) // with the auth reply unread: a reset, before the pairing's answer
        #expect(mgmt.records.contains { $0.hasPrefix("PAIR C2:76:12:34:56:78") })
        // Once the pairing is done its answer goes to the closed socket; the gateway must live on.
        #expect(gateway.waitForLog("paired with C2:76:12:34:56:78"), "\(gateway.log)")
        #expect(try rpc.call("bcms", ["mode"], id: 4)["result"] != nil)

        // MQTT: the result is published when the pairing is done.
        let observer = try MQTTObserver(port: broker.port, topics: ["switchyard/\(gateway.node)/result"])
        try MQTTTool.publish(port: broker.port, topic: "switchyard/\(gateway.node)/cmnd/bcms", message: "pair --address A4:C1:38:01:02:03")
        #expect(observer.wait(timeout: 10) { !$0.isEmpty }, "\(gateway.log)")
        #expect(observer.lines.first?.contains(#""status":true"#) == true, "\(observer.lines)")
        #expect(mgmt.records.contains("PAIR A4:C1:38:01:02:03 1"))

        // The CLI waits for the answer too.
        let binary = Products.executable("switchyard").path
        let (unpairStatus, unpaired) = try run(binary, ["bcms", "unpair", "--address", "A4:C1:38:01:02:03",
                                                        "--port", String(gateway.rpcPort)], data: data.path)
        #expect(unpairStatus == 0 && unpaired.contains(#""status":true"#), "\(unpaired)")

        // Restart: the kept keys go back to the kernel; none of them is in the log.
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
        try gateway.restart()
        #expect(gateway.waitForLog("keys of 2 paired devices loaded", timeout: 20), "\(gateway.log)")
        let key = try #require(mgmt.longTermKey("A4:C1:38:00:00:01"))
        // The gateway logs as it sends; the simulator's record of the load may trail it.
        let loadDeadline = Date().addingTimeInterval(5)
        while Date() < loadDeadline && mgmt.loaded("ltk").last?.contains("C2:76:12:34:56:78=") != true { usleep(20_000) }
        let loaded = try #require(mgmt.loaded("ltk").last)
        #expect(loaded.contains("A4:C1:38:00:00:01=" + key) && loaded.contains("C2:76:12:34:56:78="), "\(loaded)")
        #expect(!loaded.contains("A4:C1:38:01:02:03"), "unpaired: not handed back")
        #expect(!gateway.log.contains(key))
        let config = (try? String(contentsOfFile: data.file("config"), encoding: .utf8)) ?? ""
        #expect(config.contains("ble.pairing_keys"))
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
    }

    @Test("bcms-daemon: the seed's flags become settings for the run (BLE on, debug log, iot.username), nothing saved")
    func daemonFlags() throws {
        let sim = try HCISimulator()
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "bcms-daemon")
        let rpcPort = FreePort.next()
        #expect(ChildProcessConfig.set([
            "ble.adapter": sim.path, "rpc.port": String(rpcPort), "console.device": "none", "node.name": "daemon",
        ], data: data.path))
        let link = data.file("bcms-daemon")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: Products.executable("switchyard").path)
        let log = data.file("daemon.log")
        let daemon = try Subprocess(link, ["--debug", "True", "--username", "alice", "--application_identifier", "vhh-server",
                                           "--data", data.path],
                                    environment: ["MQTT_BROKER": "127.0.0.1", "MQTT_PORT": String(broker.port)],
                                    stdout: .file(log), stderr: .file(log))
        let deadline = Date().addingTimeInterval(15)
        var text = ""
        while Date() < deadline {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("ble: mode passive") && sim.scanEnables >= 1 { break }
            usleep(50_000)
        }
        #expect(sim.scanEnables >= 1, "\(text)")
        #expect(text.contains("DEBUG"), "--debug True logs at debug level")
        let (status, shown) = try run(Products.executable("switchyard").path,
                                      ["bcms", "mode", "--port", String(rpcPort)], data: data.path)
        #expect(status == 0 && shown.contains("passive"), "\(shown)")
        daemon.signal(SIGTERM)
        #expect(daemon.wait(timeout: 10)?.status == 0)
        let saved = (try? String(contentsOfFile: data.file("config"), encoding: .utf8)) ?? ""
        #expect(!saved.contains("alice") && !saved.contains("ble.enabled"), "the flags are not saved: \(saved)")
    }
}
