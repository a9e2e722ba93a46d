import Console
import Contracts
import Foundation
import JSON
import Runtime
import Store
import Testing
import TestSupport
import Uplink

@Suite("Commands over MQTT against a real mosquitto broker", .serialized)
struct CommandTopicBridgeTests {
    /// A connected client with the bridge for node `test` over a real config store.
    private final class Rig {
        let broker: MosquittoBroker
        let directory = TemporaryDirectory(prefix: "bridge-test")
        let store: ConfigStore
        let registry = CommandRegistry()
        let loop: EventLoop
        let client: MQTTClient
        let bridge: CommandTopicBridge
        let observer: MQTTObserver
        let topics = StatusTopics(node: "test")

        init(settings tune: (inout MQTTSettings) -> Void = { _ in }, maxPending: Int = CommandTopicBridge.defaultMaxPending) throws {
            broker = try MosquittoBroker()
            store = ConfigStore(schema: ConsoleTestKeys.schema, dataDirectory: directory.path, environment: { _ in nil })
            ConfigCommands.register(in: registry, store: store)
            HelpCommand.register(in: registry)
            loop = try EventLoop()
            var settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port), clientID: "bridge-\(UUID().uuidString.prefix(8))")
            tune(&settings)
            client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
            bridge = CommandTopicBridge(port: client, registry: registry, topics: topics, loop: loop, maxPending: maxPending)
            observer = try MQTTObserver(port: broker.port, topics: [topics.result])
        }

        func connect() {
            bridge.start()
            client.start()
            #expect(loop.run(timeout: 5) { client.isConnected })
            #expect(loop.run(timeout: 5) { client.subscriptionsAnswered }, "the command topic's SUBACK")
        }

        /// Publishes raw bytes with mosquitto_pub (from a file, so NUL bytes survive).
        func publish(_ command: String, _ payload: [UInt8], retain: Bool = false) throws {
            let file = directory.file("payload.bin")
            try Data(payload).write(to: URL(fileURLWithPath: file))
            var arguments = ["-h", "127.0.0.1", "-p", String(broker.port), "-q", "1",
                             "-t", topics.commandPrefix + command, "-f", file]
            if retain { arguments.append("-r") }
            let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/mosquitto_pub"), arguments)
            #expect(result.status == 0, "mosquitto_pub: \(result.stderr)")
        }

        /// Publishes `count` QoS 0 messages with `payload` to `command` in one burst: one
        /// `mosquitto_pub -l` run, a message per line.
        func burst(_ command: String, _ payload: String, count: Int) throws {
            let file = directory.file("burst.txt")
            try String(repeating: payload + "\n", count: count).write(toFile: file, atomically: true, encoding: .utf8)
            let result = try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c",
                "exec /usr/bin/mosquitto_pub -h 127.0.0.1 -p \(broker.port) -q 0 -t '\(topics.commandPrefix + command)' -l < '\(file)'"])
            #expect(result.status == 0, "mosquitto_pub: \(result.stderr)")
        }

        /// The `count`-th result message, parsed, waiting (and running the loop) for it.
        func result(_ count: Int) throws -> JSONValue? {
            let arrived = loop.run(timeout: 5) { observer.lines.count >= count }
            guard arrived else { return nil }
            let line = observer.lines[count - 1]
            let prefix = topics.result + " "
            #expect(line.hasPrefix(prefix))
            return try JSONValue.parse(String(line.dropFirst(prefix.count)))
        }
    }

    @Test("a command topic runs the command and replies {cmd, ok, output} on result")
    func roundTrip() throws {
        let rig = try Rig()
        rig.connect()
        try MQTTTool.publish(port: rig.broker.port, topic: "switchyard/test/cmnd/get", message: "mqtt.port")
        let reply = try #require(try rig.result(1))
        #expect(reply["cmd"] == "get")
        #expect(reply["ok"] == true)
        #expect(reply["output"] == ["key": "mqtt.port", "value": "1883", "source": "default"])
        #expect(reply.objectValue?.keys == ["cmd", "ok", "output"])

        // Quotes group words; an endpoint is not remote-safe, so the broker's door refuses it.
        try MQTTTool.publish(port: rig.broker.port, topic: "switchyard/test/cmnd/set", message: "mqtt.host \"my broker\"")
        let set = try #require(try rig.result(2))
        #expect(set["ok"] == false)
        #expect(set["output"]?.stringValue?.hasPrefix("mqtt.host is not settable over MQTT") == true)
        #expect(rig.store.string(StandardKeys.mqttHost) == "localhost")
        try MQTTTool.publish(port: rig.broker.port, topic: "switchyard/test/cmnd/set", message: "test.poll_s \"20\"")
        let plain = try #require(try rig.result(3))
        #expect(plain["ok"] == true)
        #expect(rig.store.value(ConsoleTestKeys.pollInterval) == .seconds(20))
        #expect(rig.bridge.executed == 3)
    }

    @Test("an unknown command gets ok:false with a message that points at help")
    func unknownCommand() throws {
        let rig = try Rig()
        rig.connect()
        try MQTTTool.publish(port: rig.broker.port, topic: "switchyard/test/cmnd/frobnicate", message: "now")
        let reply = try #require(try rig.result(1))
        #expect(reply["cmd"] == "frobnicate")
        #expect(reply["ok"] == false)
        #expect(reply["output"]?.stringValue?.contains("unknown command \"frobnicate\"") == true)
    }

    @Test("a binary payload is refused without running; the bridge goes on working")
    func binaryPayload() throws {
        let rig = try Rig()
        rig.connect()
        try rig.publish("set", [0x00, 0xFF])
        let binary = try #require(try rig.result(1))
        #expect(binary["cmd"] == "set")
        #expect(binary["ok"] == false)
        #expect(binary["output"]?.stringValue?.contains("not UTF-8") == true)

        try rig.publish("set", Array("mqtt.port\u{1B}[2J 1884".utf8))
        let control = try #require(try rig.result(2))
        #expect(control["ok"] == false)
        #expect(control["output"]?.stringValue?.contains("control characters") == true)
        #expect(rig.store.integer(StandardKeys.mqttPort) == 1883)
        #expect(rig.bridge.rejected == 2)
        #expect(rig.bridge.executed == 0)

        // Text with a trailing newline (mosquitto_pub -l, echo) is fine.
        try rig.publish("get", Array("mqtt.port\n".utf8))
        let good = try #require(try rig.result(3))
        #expect(good["ok"] == true)
    }

    @Test("a retained command is ignored, so it cannot run again on every reconnect")
    func retainedIgnored() throws {
        let rig = try Rig()
        try rig.publish("set", Array("mqtt.port 2000".utf8), retain: true)
        rig.connect()
        #expect(rig.loop.run(timeout: 3) { rig.bridge.ignoredRetained == 1 })
        #expect(rig.store.integer(StandardKeys.mqttPort) == 1883)
        #expect(rig.observer.lines.isEmpty)
    }

    @Test("every reply to a burst of 10,000 QoS 0 commands arrives: commands wait for room in the outbox")
    func burstOfCommands() throws {
        let rig = try Rig()
        rig.connect()
        let count = 10_000
        try rig.burst("get", "mqtt.port", count: count)
        let done = rig.loop.run(timeout: 60) {
            rig.bridge.executed == count && rig.client.outbox.isEmpty && rig.client.inflightCount == 0
        }
        #expect(done, "executed \(rig.bridge.executed), waiting \(rig.bridge.pendingCount)")
        #expect(rig.client.outbox.dropped == 0)
        #expect(rig.bridge.droppedPending == 0)
        let arrived = rig.observer.wait(timeout: 20) { $0.count >= count }
        let lines = rig.observer.lines
        #expect(arrived, "\(lines.count) of \(count) replies arrived")
        #expect(lines.allSatisfy { $0.hasSuffix("\"ok\":true,\"output\":{\"key\":\"mqtt.port\",\"value\":\"1883\",\"source\":\"default\"}}") })
    }

    @Test("a full command queue drops the newest commands without running them, and counts them")
    func fullQueueDropsNewest() throws {
        // One message in flight and a four-message outbox kept full by the client's own
        // publishes: commands must wait, and only `maxPending` of them can.
        let rig = try Rig(settings: { $0.maxInflight = 1; $0.outboxMaxMessages = 4 }, maxPending: 10)
        rig.connect()
        try rig.burst("get", "mqtt.port", count: 50)
        for index in 0..<100 {
            rig.client.publish("test/fill", Array("\(index)".utf8), qos: 1)
        }
        #expect(rig.loop.run(timeout: 20) {
            rig.bridge.executed + rig.bridge.droppedPending == 50 && rig.bridge.pendingCount == 0
                && rig.client.outbox.isEmpty && rig.client.inflightCount == 0
        })
        #expect(rig.bridge.droppedPending > 0)
        #expect(rig.bridge.executed >= 10)
        let expected = rig.bridge.executed
        #expect(rig.observer.wait(timeout: 10) { $0.count >= expected })
        #expect(rig.observer.lines.count == expected)
    }

    /// Publishes `payload` to cmnd/`command` and returns the `count`-th result.
    private func command(_ rig: Rig, _ command: String, _ payload: String, _ count: Int) throws -> JSONValue {
        try MQTTTool.publish(port: rig.broker.port, topic: rig.topics.commandPrefix + command, message: payload)
        return try #require(try rig.result(count))
    }

    @Test("without cmnd.allow_privileged: readers and remote-safe keys run, the rest is refused and changes nothing")
    func untrustedDoorRunsOnlyTheAllowlist() throws {
        let rig = try Rig()
        rig.connect()
        var replies = 0
        func send(_ name: String, _ payload: String) throws -> JSONValue {
            replies += 1
            return try command(rig, name, payload, replies)
        }
        let (_, lines) = try LogCapture.lines { () throws -> Void in
            // A change made on the console and not saved yet is that door's to keep.
            try rig.store.set("mqtt.keepalive_s", to: "45")
            #expect(try send("set", "test.poll_s 30")["ok"] == true)
            let save = try send("save", "")
            #expect(save["ok"] == false)
            #expect(save["output"]?.stringValue?.contains("mqtt.keepalive_s") == true, "\(save)")
            #expect(!FileManager.default.fileExists(atPath: rig.directory.file("config")), "nothing saved")
            try rig.store.unset("mqtt.keepalive_s")
            let saved = try send("save", "")
            #expect(saved["ok"] == true, "\(saved)")
            let file = try String(contentsOfFile: rig.directory.file("config"), encoding: .utf8)
            #expect(file.contains("test.poll_s=30") && !file.contains("keepalive"), "\(file)")

            for attempt in ["set mqtt.tls.ca_file /tmp/evil.pem", "set mqtt.tls.insecure true", "set node.name evil",
                            "unset rpc.bind", "set cmnd.allow_privileged true", "set log.level critical"] {
                let words = attempt.split(separator: " ", maxSplits: 1).map(String.init)
                let refused = try send(words[0], words[1])
                #expect(refused["ok"] == false, "\(attempt)")
                #expect(refused["output"]?.stringValue?.contains("cmnd.allow_privileged") == true, "\(refused)")
            }
            let log = try send("log", "level critical")
            #expect(log["ok"] == false, "the log level from the broker could hide these refusals")
            #expect(log["output"]?.stringValue?.contains("\"log level\" may change state") == true, "\(log)")
            #expect(try send("log", "level")["ok"] == true, "reading the level is fine")
            #expect(try send("get", "mqtt.tls.insecure")["ok"] == true)
            #expect(try send("config", "keys")["output"]?.stringValue?.contains("test.poll_s (seconds 1..3600, default 10, settable over MQTT)") == true)
        }
        #expect(rig.store.value(StandardKeys.nodeName) == "switchyard")
        #expect(rig.store.boolean(StandardKeys.mqttTLSInsecure) == false)
        #expect(rig.store.boolean(StandardKeys.commandsAllowPrivileged) == false)
        #expect(rig.store.value(StandardKeys.logLevel) == .info)
        #expect(LogSettings.level != .critical)
        #expect(rig.registry.refusals == 8)
        #expect(lines.contains { $0.contains("refused over mqtt: set mqtt.tls.ca_file") }, "\(lines)")
        #expect(!lines.contains { $0.contains("/tmp/evil.pem") }, "values are never logged")
    }

    @Test("with cmnd.allow_privileged the broker's door has full rights, and every privileged change is logged")
    func allowanceGivesFullRights() throws {
        let rig = try Rig()
        rig.connect()
        rig.bridge.allowsPrivileged = true
        let (_, lines) = try LogCapture.lines { () throws -> Void in
            #expect(try command(rig, "set", "mqtt.username broker-user", 1)["ok"] == true)
            #expect(try command(rig, "save", "", 2)["ok"] == true)
        }
        #expect(rig.store.string(StandardKeys.mqttUsername) == "broker-user")
        #expect(lines.contains { $0.contains("privileged change: mqtt.username over mqtt") }, "\(lines)")
        #expect(!lines.contains { $0.contains("broker-user") }, "the value is not logged")
        #expect(rig.registry.refusals == 0)
        // Turned off again (a reload after the console saved it off): closed at once.
        rig.bridge.allowsPrivileged = false
        _ = LogCapture.lines {
            #expect((try? command(rig, "set", "mqtt.username x-user", 3))?["ok"] == false)
        }
        #expect(rig.store.string(StandardKeys.mqttUsername) == "broker-user")
    }
}
