import Foundation
import TestSupport
import Testing

/// Issue 20 items 1 and 2, re-run against the real gateway on a real broker: anyone who can
/// publish to `cmnd/` may change only keys declared remote-safe and run only reading command
/// forms; with `cmnd.allow_privileged` on, the door has full rights and says so in the log.
@Suite("switchyard run: the MQTT door's allowlist", .serialized)
struct MQTTDoorPolicyTests {
    /// The keys the issue names, with what an attacker sent (or would): a path to overwrite,
    /// a terminal to write SLCAN to, TLS off, someone else's identity.
    static func attackKeys(victim: String) -> [(key: String, value: String)] {
        [("bmw.token_file", victim), ("skoda.mqtt_tls", "false"), ("can.slcan_device", "/dev/tty"),
         ("ble.adapter", "/dev/ttyS0"), ("benchlab.ports", "/dev/tty1,/dev/ttyS1"),
         ("iot.cert_file", victim), ("iot.key_file", victim),
         ("skoda.user_id", "00000000-0000-0000-0000-000000000000"), ("bmw.client_id", "11111111-2222-3333-4444-555555555555"),
         ("node.name", "evil"),
         ("mqtt.tls.insecure", "true"), ("mqtt.tls.cert_file", victim), ("mqtt.tls.key_file", victim),
         ("ble.mgmt_socket", "/tmp/evil.sock"), ("iot.url", "http://evil.example/iot"), ("ble.enabled", "true"),
         ("cmnd.allow_privileged", "true"), ("log.level", "critical")]
    }

    /// Command forms that change state: each must be refused over MQTT without the allowance.
    static let stateChanging = [
        ("ota", "abort"), ("bmw", "logout"), ("bmw", "refresh"), ("bmw", "login"), ("bmw", "catalogue --refresh"),
        ("bcms", "approve --address 54:48:E6:8F:80:A5"), ("bcms", "remove --address 54:48:E6:8F:80:A5"),
        ("bcms", "pair --address 54:48:E6:8F:80:A5"), ("bcms", "unpair --address 54:48:E6:8F:80:A5"),
        ("bcms", "set_mode active"), ("can", "send 123#DEADBEEF"), ("can", "restart"), ("ble", "restart"),
        ("benchlab", "rescan"), ("skoda", "refresh"), ("mqtt", "reconnect"), ("led", "test"), ("log", "level critical"),
        ("log", "format json"), ("reload", ""), ("restart", ""), ("factory-reset", "erase now"),
    ]

    /// What `help` tags as open to MQTT, command by command: reviewed by hand, so a command
    /// opened by mistake (or a new one opened without a look) fails here.
    static let openForms: [String: String] = [
        "config": "MQTT: every form", "get": "MQTT: every form", "help": "MQTT: every form",
        "status": "MQTT: every form", "tasks": "MQTT: every form", "version": "MQTT: every form",
        "set": "MQTT: keys marked \"settable over MQTT\" in config keys",
        "unset": "MQTT: keys marked \"settable over MQTT\" in config keys",
        "save": "MQTT: when every unsaved change is to such a key",
        "log": "MQTT: (no arguments), level, format, tail, tail *", "led": "MQTT: (no arguments)",
        "mqtt": "MQTT: (no arguments), status", "can": "MQTT: (no arguments), status",
        "skoda": "MQTT: (no arguments), status", "ota": "MQTT: (no arguments), status",
        "web": "MQTT: (no arguments), status", "benchlab": "MQTT: (no arguments), list",
        "time": "MQTT: (no arguments), status", "wifi": "MQTT: (no arguments), status",
        "ble": "MQTT: (no arguments), status, devices",
        "bcms": "MQTT: list, list *, mode, is_paired *, is_paired --address *",
        "bmw": "MQTT: (no arguments), status, catalogue, catalogue --stats, catalogue --list-categories, "
            + "catalogue --search ..., catalogue --category ...",
    ]

    /// The broker's door as a stranger sees it: publish to cmnd/, read the next result.
    private final class Door {
        let broker: MosquittoBroker
        let gateway: GatewayProcess
        let observer: MQTTObserver
        private var replies = 0

        init(_ broker: MosquittoBroker, _ gateway: GatewayProcess) throws {
            self.broker = broker
            self.gateway = gateway
            observer = try MQTTObserver(port: broker.port, topics: ["switchyard/\(gateway.node)/result"])
        }

        /// Sends `payload` to cmnd/`command` and returns its result's `ok` and `output`.
        func send(_ command: String, _ payload: String) throws -> (ok: Bool, output: Any?) {
            replies += 1
            let wanted = replies
            try MQTTTool.publish(port: broker.port, topic: "switchyard/\(gateway.node)/cmnd/\(command)", message: payload)
            guard observer.wait(timeout: 10, until: { $0.count >= wanted }) else { return (false, "no result") }
            let line = observer.lines[wanted - 1]
            guard let space = line.firstIndex(of: " "),
                  let object = try JSONSerialization.jsonObject(with: Data(line[line.index(after: space)...].utf8))
                      as? [String: Any] else { return (false, "unreadable result: \(line)") }
            #expect(object["cmd"] as? String == command)
            return (object["ok"] as? Bool == true, object["output"])
        }

        /// Every key's value and source, from `config` over MQTT.
        func settings() throws -> [String: String] {
            let reply = try send("config", "")
            var values: [String: String] = [:]
            for (key, entry) in reply.output as? [String: Any] ?? [:] {
                let entry = entry as? [String: Any] ?? [:]
                values[key] = "\(entry["value"] as? String ?? "?") (\(entry["source"] as? String ?? "?"))"
            }
            return values
        }
    }

    private func waitOnline(_ broker: MosquittoBroker, _ gateway: GatewayProcess) throws -> Bool {
        try MQTTTool.waitForRetained(port: broker.port, topic: gateway.statusTopic, equals: "online")
    }

    @Test("without cmnd.allow_privileged: every key of the issue and every state-changing command is refused, nothing changes")
    func attackIsRefused() throws {
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker)
        defer { gateway.process.signal(SIGKILL) }
        #expect(try waitOnline(broker, gateway), "\(gateway.log)")
        let victim = gateway.data.file("victim.txt")
        try "precious".write(toFile: victim, atomically: true, encoding: .utf8)
        let door = try Door(broker, gateway)

        let before = try door.settings()
        #expect(before["skoda.mqtt_tls"] == "true (default)", "\(before)")
        // Every trust anchor and TLS switch in the schema, besides the issue's own list.
        var attempts = MQTTDoorPolicyTests.attackKeys(victim: victim)
        for key in before.keys.sorted() where key.hasSuffix("ca_file") || key.hasSuffix("ca_dir") || key.hasSuffix("_tls") {
            if !attempts.contains(where: { $0.key == key }) {
                attempts.append((key, key.hasSuffix("_tls") ? "false" : "/tmp/evil-ca.pem"))
            }
        }
        #expect(attempts.filter { $0.key.hasSuffix("ca_file") }.count >= 6, "\(attempts.map(\.key))")

        var refusedKeys = 0
        for (key, value) in attempts {
            let set = try door.send("set", key + " " + value)
            let unset = try door.send("unset", key)
            let refused = !set.ok && !unset.ok && (set.output as? String)?.contains("cmnd.allow_privileged") == true
            #expect(refused, "set \(key): \(set)")
            if refused { refusedKeys += 1 }
        }
        // The rest of the attack: keep it, and make the BMW service write its token file.
        let save = try door.send("save", "")
        #expect(save.ok, "nothing unsaved: saving is harmless \(save)")
        var refusedCommands = 0
        for (command, payload) in MQTTDoorPolicyTests.stateChanging {
            let reply = try door.send(command, payload)
            let refused = !reply.ok && (reply.output as? String)?.contains("cmnd.allow_privileged") == true
            #expect(refused, "\(command) \(payload): \(reply)")
            if refused { refusedCommands += 1 }
        }
        let after = try door.settings()
        let unchanged = attempts.filter { after[$0.key] == before[$0.key] }.count
        #expect(after == before, "no setting changed")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        let saved = (try? String(contentsOfFile: gateway.data.file("config"), encoding: .utf8)) ?? ""
        #expect(!saved.contains(victim) && !saved.contains("evil"), "\(saved)")
        #expect(gateway.process.isRunning)

        // Readers still answer, and a key declared remote-safe still changes.
        for (command, payload) in [("status", ""), ("version", ""), ("get", "skoda.mqtt_tls"), ("ota", "status"),
                                   ("bcms", "mode"), ("bmw", "status"), ("can", ""), ("log", ""), ("help", "set")] {
            let reply = try door.send(command, payload)
            #expect(reply.ok, "\(command) \(payload): \(reply)")
        }
        // The log without a shell: its last lines, here the refusals just logged.
        let tail = try door.send("log", "tail 50")
        let lines = (tail.output as? [String: Any])?["lines"] as? [String] ?? []
        #expect(tail.ok && lines.count == 50 && lines.contains { $0.contains("refused over mqtt") }, "\(tail)")
        #expect(try door.send("set", "benchlab.poll_s 3").ok)
        #expect(try door.send("save", "").ok)
        let poll = try door.send("get", "benchlab.poll_s").output as? [String: Any]
        #expect(poll?["value"] as? String == "3" && poll?["source"] as? String == "user", "\(String(describing: poll))")
        let state = try door.send("status", "").output as? [String: Any]
        #expect(state?["commands_refused"] as? Int == 2 * attempts.count + MQTTDoorPolicyTests.stateChanging.count,
                "\(String(describing: state?["commands_refused"]))")
        #expect(gateway.log.contains("refused over mqtt: set bmw.token_file"))
        #expect(!gateway.log.contains(victim), "values are never logged")

        // `help` shows what is open, and only the reviewed forms are.
        let help = try door.send("help", "").output as? String ?? ""
        var tags: [String: String] = [:]
        for line in help.split(separator: "\n") {
            guard let open = line.range(of: " [MQTT: ", options: .backwards), line.hasSuffix("]") else { continue }
            let name = String(line.split(separator: " ").first ?? "")
            tags[name] = String(line[line.index(open.lowerBound, offsetBy: 2)..<line.index(before: line.endIndex)])
        }
        #expect(tags == MQTTDoorPolicyTests.openForms, "\(tags)")

        let figure = "MQTT door without cmnd.allow_privileged: \(refusedKeys) of \(attempts.count) key changes refused, "
            + "\(unchanged) of \(attempts.count) values unchanged; \(refusedCommands) of "
            + "\(MQTTDoorPolicyTests.stateChanging.count) state-changing commands refused"
        print(figure)
        #expect(refusedKeys == attempts.count && unchanged == attempts.count
                && refusedCommands == MQTTDoorPolicyTests.stateChanging.count, "\(figure)")
    }

    @Test("with cmnd.allow_privileged on: the same changes are accepted, each logged with its key and door, never its value")
    func allowanceGivesFullRights() throws {
        let broker = try MosquittoBroker()
        let data = TemporaryDirectory(prefix: "gateway-privileged")
        #expect(ChildProcessConfig.set(["cmnd.allow_privileged": "true"], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        defer { gateway.process.signal(SIGKILL) }
        #expect(try waitOnline(broker, gateway), "\(gateway.log)")
        let door = try Door(broker, gateway)
        let victim = data.file("victim.txt")
        // The file keys take only a file that exists (checked at set): the victim is one.
        try "victim".write(toFile: victim, atomically: true, encoding: .utf8)
        for (key, value) in MQTTDoorPolicyTests.attackKeys(victim: victim) {
            let set = try door.send("set", key + " " + value)
            #expect(set.ok, "set \(key): \(set)")
            #expect(gateway.waitForLog("privileged change: \(key) over mqtt"), "\(key)")
        }
        #expect(!gateway.log.contains(victim), "values are never logged")
        // State-changing commands run (this one finds nothing to abort).
        let abort = try door.send("ota", "abort")
        #expect((abort.output as? String) == "no transfer in progress", "\(abort)")
        let state = try door.send("status", "").output as? [String: Any]
        #expect(state?["commands_refused"] as? Int == 0)

        // Turned off on a trusted door and saved: the broker's door is closed at once, no restart.
        let rpc = try gateway.rpcClient()
        #expect(try rpc.call("reload")["result"] != nil, "drop the unsaved changes made above")
        #expect(try rpc.call("set", ["cmnd.allow_privileged", "false"])["result"] != nil)
        #expect(try rpc.call("save")["result"] != nil)
        let refused = try door.send("set", "node.name evil")
        #expect(!refused.ok && (refused.output as? String)?.contains("cmnd.allow_privileged") == true, "\(refused)")
        #expect(try door.send("ota", "abort").output as? String != "no transfer in progress")
    }
}
