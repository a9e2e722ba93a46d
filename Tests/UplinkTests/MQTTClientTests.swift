import Contracts
import Foundation
import Runtime
import Store
import Testing
import TestSupport
@testable import Uplink

@Suite("MQTT client against a real mosquitto broker", .serialized)
struct MQTTClientTests {
    private func makeClient(_ broker: MosquittoBroker, loop: EventLoop, outbox: Int = 2_000,
                            id: String = "test-\(UUID().uuidString.prefix(8))") throws -> MQTTClient {
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port), clientID: id)
        settings.outboxMaxMessages = outbox
        settings.keepaliveSeconds = 10
        return try MQTTClient(name: "uplink", settings: settings, loop: loop)
    }

    /// Runs `body` with an observer of `topics` and a started, connected client on a broker of
    /// their own, which lives until `body` returns.
    private func withConnectedClient(observing topics: [String],
                                     _ body: (MQTTObserver, EventLoop, MQTTClient) throws -> Void) throws {
        let broker = try MosquittoBroker()
        let observer = try MQTTObserver(port: broker.port, topics: topics)
        let loop = try EventLoop()
        let client = try makeClient(broker, loop: loop)
        client.start()
        #expect(loop.run(timeout: 5) { client.isConnected })
        try withExtendedLifetime(broker) { try body(observer, loop, client) }
    }

    @Test("connects and publishes QoS 0 and QoS 1 messages a real subscriber receives")
    func publishes() throws {
        try withConnectedClient(observing: ["t/#"]) { observer, loop, client in
            #expect(client.publish("t/a", text: "zero", qos: 0) == .sent)
            #expect(client.publish("t/b", text: "one", qos: 1) == .sent)
            loop.run(timeout: 5) { client.stats.acknowledged == 1 }
            #expect(observer.wait { $0.count == 2 })
            #expect(observer.lines == ["t/a zero", "t/b one"])
        }
    }

    @Test("QoS 0 messages written out neither acknowledge nor shrink the QoS 1 window")
    func qos0DoesNotCountAsAcknowledged() throws {
        try withConnectedClient(observing: ["w/#"]) { observer, loop, client in
            #expect(client.publish("w/1", text: "one", qos: 1) == .sent)
            // libmosquitto writes a QoS 0 PUBLISH at once and reports it through the same callback
            // that reports a PUBACK: the QoS 1 message before it is still unacknowledged.
            for n in 0..<3 { client.publish("w/0/\(n)", text: "zero", qos: 0) }
            #expect(client.inflightCount == 1)
            #expect(client.publish("w/2", text: "two", qos: 1) == .sent)
            #expect(loop.run(timeout: 5) { client.inflightCount == 0 })
            // Every QoS 0 message was written (and reported) before the last PUBACK came.
            #expect(observer.wait { $0.count == 5 })
            #expect(client.stats.acknowledged == 2, "the two QoS 1 messages, not the QoS 0 ones")
        }
    }

    @Test("while connected libmosquitto formats no log line per PUBLISH, unless debugging", arguments: [false, true])
    func noLogLinePerPublish(_ debug: Bool) throws {
        let broker = try MosquittoBroker()
        let observer = try MQTTObserver(port: broker.port, topics: ["l/#"])
        let loop = try EventLoop()
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port), clientID: "log-\(debug)")
        settings.debug = debug
        let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        client.start()
        #expect(loop.run(timeout: 5) { client.isConnected })
        #expect(client.mosquittoLogLines > 0, "the connect is logged either way")
        let before = client.mosquittoLogLines
        for n in 0..<20 { client.publish("l/\(n)", text: "m", qos: 0) }
        loop.run(timeout: 5) { observer.lines.count == 20 }
        #expect(observer.wait { $0.count == 20 })
        if debug {
            #expect(client.mosquittoLogLines >= before + 20)
        } else {
            #expect(client.mosquittoLogLines == before)
        }
    }

    @Test("MQTT 5 and MQTT 3.1 connect and publish as well", arguments: [MQTTProtocolVersion.v5, .v31])
    func otherProtocolVersions(_ version: MQTTProtocolVersion) throws {
        let broker = try MosquittoBroker()
        let observer = try MQTTObserver(port: broker.port, topics: ["v/#"])
        let loop = try EventLoop()
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port), clientID: "proto-\(version.name)")
        settings.protocolVersion = version
        let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        client.start()
        #expect(loop.run(timeout: 5) { client.isConnected }, "\(client.lastError)")
        client.publish("v/\(version.name)", text: "hello", qos: 1)
        #expect(observer.wait { $0 == ["v/\(version.name) hello"] })
        #expect(broker.log.contains("proto-\(version.name)"))
    }

    @Test("subscriptions with wildcards receive what others publish")
    func subscribes() throws {
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try makeClient(broker, loop: loop)
        var received: [String] = []
        client.subscribe("cmd/+/x") { received.append($0.topic + "=" + $0.text) }
        client.start()
        #expect(loop.run(timeout: 5) { client.subscriptionsAnswered })
        try MQTTTool.publish(port: broker.port, topic: "cmd/1/x", message: "hello")
        try MQTTTool.publish(port: broker.port, topic: "cmd/2/y", message: "ignored")
        try MQTTTool.publish(port: broker.port, topic: "cmd/3/x", message: "world")
        #expect(loop.run(timeout: 5) { received.count == 2 })
        #expect(received == ["cmd/1/x=hello", "cmd/3/x=world"])
    }

    @Test("1,000 QoS 1 messages published during a broker outage all arrive, in order")
    func outboxSurvivesOutage() throws {
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try makeClient(broker, loop: loop)
        client.start()
        #expect(loop.run(timeout: 5) { client.isConnected })

        broker.stop()
        #expect(loop.run(timeout: 5) { !client.isConnected })
        for index in 0..<1_000 {
            #expect(client.publish("outage/seq", text: String(index), qos: 1) == .queued)
        }
        #expect(client.outbox.count == 1_000)
        #expect(client.outbox.dropped == 0)

        try broker.start()
        let observer = try MQTTObserver(port: broker.port, topics: ["outage/seq"])
        #expect(loop.run(timeout: 10) { client.isConnected })
        #expect(loop.run(timeout: 10) { client.outbox.isEmpty && client.inflightCount == 0 })
        #expect(observer.wait(timeout: 10) { $0.count >= 1_000 })
        let values = observer.lines.compactMap { Int($0.split(separator: " ").last!) }
        // QoS 1 allows duplicates; dropping them, the sequence must be complete and ordered.
        var deduplicated: [Int] = []
        for value in values where deduplicated.last != value { deduplicated.append(value) }
        #expect(deduplicated == Array(0..<1_000))
    }

    @Test("a full outbox drops the oldest messages and counts them exactly")
    func smallOutboxDropsOldest() throws {
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try makeClient(broker, loop: loop, outbox: 100)
        client.start()
        #expect(loop.run(timeout: 5) { client.isConnected })
        broker.stop()
        #expect(loop.run(timeout: 5) { !client.isConnected })
        for index in 0..<1_000 { client.publish("small/seq", text: String(index), qos: 1) }
        #expect(client.outbox.dropped == 900)
        #expect(client.outbox.count == 100)

        try broker.start()
        let observer = try MQTTObserver(port: broker.port, topics: ["small/seq"])
        #expect(loop.run(timeout: 10) { client.isConnected && client.outbox.isEmpty && client.inflightCount == 0 })
        #expect(observer.wait(timeout: 10) { $0.count >= 100 })
        let values = observer.lines.compactMap { Int($0.split(separator: " ").last!) }
        #expect(values == Array(900..<1_000), "the newest 100 survive, in order")
    }

    @Test("QoS 0 beyond the send backlog is dropped and counted, not queued without limit")
    func qos0BacklogIsBounded() throws {
        let broker = try MosquittoBroker()
        let observer = try MQTTObserver(port: broker.port, topics: ["burst/#"], qos: 0)
        let loop = try EventLoop()
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port), clientID: "burst")
        settings.maxQoS0Backlog = 1_000
        let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        client.start()
        #expect(loop.run(timeout: 5) { client.isConnected })
        // A frozen broker reads nothing: once the socket buffers fill, libmosquitto queues.
        broker.freeze(true)
        let payload = [UInt8](repeating: 0x41, count: 1_024)
        var sent = 0
        for _ in 0..<20_000 {
            if client.publish("burst/x", payload, qos: 0) == .sent { sent += 1 }
            try loop.runOnce(maxWait: .zero)
        }
        #expect(client.stats.droppedQoS0 > 0, "the backlog filled and new messages were dropped")
        #expect(sent + client.stats.droppedQoS0 == 20_000)
        broker.freeze(false)
        #expect(loop.run(timeout: 10) { !client.hasPendingWrites })
        #expect(client.publish("burst/x", text: "after", qos: 0) == .sent, "a drained backlog accepts again")
        #expect(observer.wait(timeout: 10) { $0.count == sent + 1 }, "\(observer.lines.count) of \(sent + 1)")
    }

    @Test("QoS 0 without a connection is dropped and counted")
    func qos0WithoutConnection() throws {
        let loop = try EventLoop()
        let settings = MQTTSettings(host: "127.0.0.1", port: Int32(FreePort.next()), clientID: "nobody")
        let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        #expect(client.publish("x", text: "y", qos: 0) == .dropped("not connected (QoS 0)"))
        #expect(client.stats.droppedQoS0 == 1)
    }

    @Test("a refused connection is retried with backoff and recorded")
    func retriesWhenBrokerAbsent() throws {
        let loop = try EventLoop()
        let port = FreePort.next()
        let settings = MQTTSettings(host: "127.0.0.1", port: Int32(port), clientID: "retry")
        let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        client.start()
        #expect(loop.run(timeout: 3) { client.stats.connectFailures >= 1 })
        #expect(client.state == .waitingToReconnect || client.state == .connecting)
        #expect(client.lastError.contains("refused") || client.lastError.contains("Connection"))
        let broker = try MosquittoBroker(port: port)
        #expect(loop.run(timeout: 10) { client.isConnected }, "reconnects once the broker appears")
        _ = broker
    }

    @Test("subscriptions are restored after the broker restarts")
    func resubscribesAfterReconnect() throws {
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try makeClient(broker, loop: loop)
        var received: [String] = []
        client.subscribe("re/sub") { received.append($0.text) }
        client.start()
        #expect(loop.run(timeout: 5) { client.isConnected })
        broker.stop()
        #expect(loop.run(timeout: 5) { !client.isConnected })
        try broker.start()
        #expect(loop.run(timeout: 10) { client.subscriptionsAnswered })
        try MQTTTool.publish(port: broker.port, topic: "re/sub", message: "after")
        #expect(loop.run(timeout: 5) { received == ["after"] })
        #expect(client.stats.connects == 2)
        #expect(client.stats.disconnects == 1)
    }
}
