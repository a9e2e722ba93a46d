import Foundation
import TestSupport
import Testing

/// Settings changes apply: `set` + `save`, `reload` and SIGHUP restart exactly the services
/// whose keys changed, each logged once, in the real gateway with both services running.
@Suite("switchyard run applies changed settings to the services they belong to", .serialized)
struct GatewaySettingsReloadTests {
    private func restarts(_ log: String, _ service: String) -> Int {
        log.components(separatedBy: "\(service): settings changed, restarting").count - 1
    }

    /// Returns once the gateway's loop has run whatever a settings change scheduled: the host
    /// applies changes in one loop pass, deferred to the next; two RPC round trips through
    /// the loop (the second sent after the first is answered) come after that pass.
    private func settled(_ rpc: RPCClient) throws {
        for _ in 0..<2 { _ = try rpc.call("status") }
    }

    @Test("save, reload and SIGHUP restart only the service whose keys changed")
    func changedKeysRestartTheirService() throws {
        let devices = try SimulatedDevices()
        let slcanPath = devices.slcanPath, devicePath = devices.benchlabPath
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway-reload")
        #expect(ChildProcessConfig.set([
            "can.enabled": "true", "can.bus": "slcan", "can.slcan_device": slcanPath,
            "benchlab.enabled": "true", "benchlab.ports": devicePath,
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        defer { gateway.process.signal(SIGKILL) }
        #expect(gateway.waitForLog("opened slcan"), "\(gateway.log)")
        let rpc = try gateway.rpcClient()

        // A CAN key, saved: CAN restarts, Benchlab does not.
        _ = try rpc.call("set", ["can.bitrate", "250000"])
        #expect(restarts(gateway.log, "can") == 0, "set alone changes nothing in force")
        _ = try rpc.call("save")
        #expect(gateway.waitForLog("can: settings changed, restarting"), "\(gateway.log)")
        #expect(gateway.waitForLog("opened slcan", timeout: 5))
        try settled(rpc)
        #expect(restarts(gateway.log, "can") == 1)
        #expect(restarts(gateway.log, "benchlab") == 0)

        // A Benchlab key and a shared key it reads, through `reload` after an offline change.
        #expect(ChildProcessConfig.set(["benchlab.poll_s": "2"], data: data.path))
        let reply = try rpc.call("reload")
        #expect((reply["result"] as? String)?.contains("restarted benchlab") == true, "\(reply)")
        #expect(restarts(gateway.log, "benchlab") == 1)
        #expect(restarts(gateway.log, "can") == 1)

        // SIGHUP with nothing changed restarts nothing; with a change, exactly that service.
        gateway.process.signal(SIGHUP)
        #expect(gateway.waitForLog("SIGHUP: reloading settings"))
        try settled(rpc)
        #expect(restarts(gateway.log, "can") == 1 && restarts(gateway.log, "benchlab") == 1, "\(gateway.log)")
        #expect(ChildProcessConfig.set(["can.only_changes": "true"], data: data.path))
        gateway.process.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(5)
        while restarts(gateway.log, "can") < 2 && Date() < deadline { usleep(50_000) }
        #expect(restarts(gateway.log, "can") == 2, "\(gateway.log)")
        #expect(restarts(gateway.log, "benchlab") == 1)

        // The new settings are in force: the state block shows them.
        let state = try rpc.call("status")
        let services = (state["result"] as? [String: Any])?["services"] as? [String: [String: Any]]
        let can = services?["can"]?["state"] as? [String: Any]
        #expect(can?["only_changes"] as? Bool == true, "\(state)")
        let benchlabBlock = services?["benchlab"]?["state"] as? [String: Any]
        #expect(benchlabBlock?["poll_ms"] as? Int == 2000, "\(state)")
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
        _ = devices
    }

    @Test("SIGHUP applies mqtt.* (the gateway moves to the other broker) and rpc.* (the door moves port)")
    func uplinkAndDoorSettingsApply() throws {
        let first = try MosquittoBroker(), second = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: first, brokerInEnvironment: false)
        defer { gateway.process.signal(SIGKILL) }
        #expect(gateway.waitForLog("connected to 127.0.0.1:\(first.port)"), "\(gateway.log)")
        _ = try gateway.rpcClient()

        let newRPCPort = FreePort.next()
        #expect(ChildProcessConfig.set(["mqtt.port": String(second.port), "rpc.port": String(newRPCPort)],
                                       data: gateway.data.path))
        gateway.process.signal(SIGHUP)
        #expect(gateway.waitForLog("connected to 127.0.0.1:\(second.port)"), "\(gateway.log)")
        #expect(try MQTTTool.waitForRetained(port: second.port, topic: gateway.statusTopic, equals: "online"))
        // The first broker saw the gateway leave: its will or the clean offline.
        #expect(try MQTTTool.retained(port: first.port, topic: gateway.statusTopic) == "offline")

        let moved = try RPCClient(port: newRPCPort)
        try moved.authenticate(gateway.rpcToken)
        let status = try moved.call("status")
        #expect(status["result"] != nil, "\(status)")
        #expect(FreePort.connect(gateway.rpcPort) < 0, "the old RPC port is closed")
        #expect(gateway.process.isRunning)
    }
}
