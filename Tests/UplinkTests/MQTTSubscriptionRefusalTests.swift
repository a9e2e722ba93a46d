import Foundation
import Runtime
import TestSupport
import Testing
import Store
import Uplink

/// A refused SUBSCRIBE (SUBACK 0x80 and up) leaves the uplink connected but deaf on that
/// filter: its health says so, with the topic and the reason code, until a grant.
@Suite("MQTT client: a refused subscription degrades the uplink", .serialized)
struct MQTTSubscriptionRefusalTests {
    private func client(_ probe: MQTT5ConnectProbe, _ loop: EventLoop, version: MQTTProtocolVersion) throws -> MQTTClient {
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(probe.port), clientID: "uplink-refusal")
        settings.protocolVersion = version
        let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        client.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(200), jitter: false)
        return client
    }

    @Test("the command topic refused (MQTT 5: 135; 3.1.1: 128): degraded with topic and code; a grant clears it",
          arguments: [(MQTTProtocolVersion.v5, 135), (.v311, 128)])
    func commandTopicRefused(version: MQTTProtocolVersion, code: Int) throws {
        let probe = try MQTT5ConnectProbe(subacks: ["135", "grant"])
        let loop = try EventLoop()
        let client = try client(probe, loop, version: version)
        let filter = "switchyard/test/cmnd/+"
        client.subscribe(filter, qos: 1) { _ in }
        #expect(client.subscriptionProblem == nil, "nothing refused before the connect")
        client.start()
        #expect(loop.run(timeout: 10) { client.subscriptionsAnswered })
        #expect(client.isConnected, "connected, and yet deaf")
        let problem = try #require(client.subscriptionProblem)
        #expect(problem == "subscription to \(filter) refused: "
                + (code == 135 ? "not authorized" : "refused") + " (\(code))", "\(problem)")
        #expect(client.refusedSubscriptionList.map(\.code) == [Int32(code)])
        #expect(client.stats.refusedSubscriptions == 1)
        #expect(probe.subscribes.first?.answer == [code])

        // The next connection's SUBACK grants it: healthy again.
        client.reconnect()
        #expect(loop.run(timeout: 10) { probe.subscribes.count == 2 && client.subscriptionsAnswered })
        #expect(client.subscriptionProblem == nil)
        client.close(grace: .zero)
    }
}
