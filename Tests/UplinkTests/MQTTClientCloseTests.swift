import Foundation
import Runtime
import TestSupport
import Testing
import Uplink

/// A cloud service owns its MQTT client and hands it closures that capture the service.
/// `close` must free both once the connection is gone (issue 20: every Skoda or BMW restart
/// leaked the client, its socketpair and about 26 KB).
@Suite("Closing an owned MQTT client frees it and its owner", .serialized)
struct MQTTClientCloseTests {
    /// Registers everything a cloud service does, each closure capturing the owner.
    final class CloudOwner {
        let client: MQTTClient
        var results = 0, changes = 0, messages = 0, connects = 0

        init(port: Int, loop: EventLoop) throws {
            var settings = MQTTSettings(host: "127.0.0.1", port: Int32(port), clientID: "close-\(UUID().uuidString.prefix(8))")
            settings.protocolVersion = .v5
            client = try MQTTClient(name: "cloud", settings: settings, loop: loop)
            client.credentialsProvider = { [self] in MQTTCredentials(username: "u" + String(self.results), password: "p") }
            client.onConnectResult = { [self] _ in self.results += 1 }
            client.onDisconnect = { [self] _ in self.changes += 1 }
            client.onStateChange = { [self] _ in self.changes += 1 }
            client.subscribe("cloud/#", qos: 1) { [self] _ in self.messages += 1 }
            client.onConnect { [self] in self.connects += 1 }
        }
    }

    @Test("a connected client closed by its owner is freed with the owner", arguments: [Interval.zero, .seconds(1)])
    func closedClientIsFreed(grace: Interval) throws {
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        weak var ownerProbe: CloudOwner?
        weak var clientProbe: MQTTClient?
        do {
            let owner = try CloudOwner(port: broker.port, loop: loop)
            ownerProbe = owner
            clientProbe = owner.client
            owner.client.start()
            #expect(loop.run(timeout: 5) { owner.client.isConnected && owner.connects == 1 })
            // Something still to send, so the stop waits for it (and its deadline timer).
            owner.client.publish("cloud/out", text: "last", qos: 1)
            owner.client.close(grace: grace)
            #expect(owner.client.isClosed)
            #expect(owner.client.subscriptionCount == 0)
        }
        #expect(loop.run(timeout: 5) { clientProbe == nil && ownerProbe == nil },
                "client freed: \(clientProbe == nil), owner freed: \(ownerProbe == nil)")
        // The broker saw the connection end (the socket closed with the client).
        #expect(loop.run(timeout: 5) { broker.log.contains("disconnected") || broker.log.contains("closed its connection") })
    }

    @Test("a client closed while it waits to reconnect is freed with the owner")
    func closedWhileReconnectingIsFreed() throws {
        let loop = try EventLoop()
        weak var ownerProbe: CloudOwner?
        weak var clientProbe: MQTTClient?
        do {
            // Nothing listens there: the first attempt fails and a reconnect timer waits.
            let owner = try CloudOwner(port: FreePort.next(), loop: loop)
            ownerProbe = owner
            clientProbe = owner.client
            owner.client.start()
            #expect(loop.run(timeout: 5) { owner.client.state == .waitingToReconnect })
            owner.client.close()
        }
        #expect(loop.run(timeout: 5) { clientProbe == nil && ownerProbe == nil },
                "client freed: \(clientProbe == nil), owner freed: \(ownerProbe == nil)")
    }
}
