import Foundation
import TestSupport
import Testing

@Suite("switchyard run: commands over MQTT, JSON-RPC and the console", .serialized)
struct GatewayCommandTests {
    private func waitOnline(_ broker: MosquittoBroker, _ gateway: GatewayProcess) throws -> Bool {
        try MQTTTool.waitForRetained(port: broker.port, topic: gateway.statusTopic, equals: "online")
    }

    /// Sends `payload` to cmnd/<command> and returns the decoded reply from `result`.
    private func mqttCommand(_ broker: MosquittoBroker, _ gateway: GatewayProcess, _ command: String,
                             _ payload: String) throws -> [String: Any] {
        let observer = try MQTTObserver(port: broker.port, topics: ["switchyard/\(gateway.node)/result"])
        try MQTTTool.publish(port: broker.port, topic: "switchyard/\(gateway.node)/cmnd/\(command)", message: payload)
        #expect(observer.wait { !$0.isEmpty })
        guard let line = observer.lines.first, let space = line.firstIndex(of: " ") else { return [:] }
        let json = line[line.index(after: space)...]
        return (try JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    @Test("set and save over MQTT, restart over RPC (MQTT may not), the value survives; bad input gets errors")
    func mqttSetSaveRestart() throws {
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker)
        #expect(try waitOnline(broker, gateway), "\(gateway.log)")
        let set = try mqttCommand(broker, gateway, "set", "benchlab.poll_s 3")
        #expect(set["cmd"] as? String == "set")
        #expect(set["ok"] as? Bool == true)
        // Anyone on the broker can publish here: only keys declared remote-safe may change.
        for attempt in ["mqtt.host evil.example", "mqtt.password x", "rpc.bind 0.0.0.0", "mqtt.keepalive_s 45",
                        "ble.mgmt_socket /tmp/evil.sock"] {
            let refused = try mqttCommand(broker, gateway, "set", attempt)
            #expect(refused["ok"] as? Bool == false, "\(attempt): \(refused)")
            #expect((refused["output"] as? String)?.contains("cmnd.allow_privileged") == true)
        }
        #expect(gateway.waitForLog("refused over mqtt: set mqtt.host"))
        #expect(try mqttCommand(broker, gateway, "save", "")["ok"] as? Bool == true)

        let unknown = try mqttCommand(broker, gateway, "frobnicate", "")
        #expect(unknown["ok"] as? Bool == false)
        #expect((unknown["output"] as? String)?.contains("help") == true)

        // Restarting changes state: the broker's door may not, the authenticated RPC door may.
        let refusedRestart = try mqttCommand(broker, gateway, "restart", "")
        #expect(refusedRestart["ok"] as? Bool == false)
        #expect((refusedRestart["output"] as? String)?.contains("cmnd.allow_privileged") == true, "\(refusedRestart)")
        let pid = gateway.process.pid
        #expect(try gateway.rpcClient().call("restart")["result"] as? String == "restarting")
        #expect(gateway.waitForLog("restart requested: shutting down"))
        // exec keeps the PID: wait for the second start in the log, then for the new session.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && gateway.log.components(separatedBy: "starting: node").count < 3 { usleep(50_000) }
        #expect(gateway.log.components(separatedBy: "starting: node").count == 3, "\(gateway.log)")
        #expect(gateway.process.pid == pid)
        #expect(gateway.process.isRunning)
        #expect(try waitOnline(broker, gateway))
        let get = try mqttCommand(broker, gateway, "get", "benchlab.poll_s")
        let output = get["output"] as? [String: Any]
        #expect(output?["value"] as? String == "3", "\(get)")
        #expect(output?["source"] as? String == "user")
    }

    @Test("JSON-RPC round trip, secrets masked, malformed requests answered, connection stays up")
    func rpcRoundTrip() throws {
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker, extraEnvironment: ["MQTT_PASSWORD": "pw-never-shown"])
        #expect(try waitOnline(broker, gateway), "\(gateway.log)")
        // The door is closed until the token from the data directory (0600) is presented.
        let stranger = try RPCClient(port: gateway.rpcPort)
        let refused = try stranger.call("set", ["mqtt.port", "1884"])
        #expect((refused["error"] as? [String: Any])?["code"] as? Int == -32001, "\(refused)")
        let wrong = try stranger.call("auth", ["0000"])
        #expect((wrong["error"] as? [String: Any])?["code"] as? Int == -32002, "\(wrong)")
        let mode = try FileManager.default.attributesOfItem(atPath: gateway.data.file("rpc.token"))[.posixPermissions]
        #expect(mode as? Int == 0o600)
        #expect(gateway.rpcToken.count == 64)
        let rpc = try gateway.rpcClient()
        let set = try rpc.call("set", ["benchlab.poll_s", "2"])
        #expect(set["result"] != nil, "\(set)")
        let config = try rpc.call("config")
        let text = String(describing: config)
        #expect(!text.contains("pw-never-shown"))
        #expect(text.contains("***"))
        let garbage = try rpc.send(line: "{not json")
        #expect(garbage.contains("-32700"))
        let status = try rpc.call("status")
        let result = status["result"] as? [String: Any]
        #expect(result?["node"] as? String == gateway.node, "still serving after a parse error")
        let state = try MQTTTool.retained(port: broker.port, topic: gateway.stateTopic) ?? ""
        #expect(!state.contains("pw-never-shown"))
    }

    @Test("the console on a pseudo-terminal runs commands and masks secrets")
    func ptyConsole() throws {
        var master: Int32 = -1, slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        #expect(openpty(&master, &slave, &name, nil, nil) == 0)
        defer { close(master); close(slave) }
        let path = String(cString: name)
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker, extraEnvironment: ["MQTT_PASSWORD": "pty-secret"],
                                         consoleDevice: path)
        #expect(try waitOnline(broker, gateway), "\(gateway.log)")
        func type(_ text: String) { _ = text.withCString { write(master, $0, strlen($0)) } }
        func screen(until needle: String, timeout: TimeInterval = 5) -> String {
            var collected = ""
            let deadline = Date().addingTimeInterval(timeout)
            let flags = fcntl(master, F_GETFL)
            _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
            while Date() < deadline && !collected.contains(needle) {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = read(master, &buffer, buffer.count)
                if n > 0 { collected += String(decoding: buffer[0..<n], as: UTF8.self) } else { usleep(20_000) }
            }
            return collected
        }
        type("version\r")
        #expect(screen(until: "switchyard 0.1.0").contains("switchyard 0.1.0"))
        type("set benchlab.poll_s 3\r")
        #expect(screen(until: "benchlab.poll_s").contains("3"))
        type("config\r")
        let config = screen(until: "mqtt.password")
        #expect(config.contains("mqtt.password = ***"))
        #expect(!config.contains("pty-secret"))
    }
}
