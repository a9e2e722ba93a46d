import Foundation
import Runtime
import ServiceKit
import Store
import TestSupport
import Testing
import Uplink

/// Each subscription hears the broker's answer to it (the SUBACK): granted at a QoS, or
/// refused (a broker ACL), again after every reconnect.
@Suite("MQTT client: SUBACKs reach their subscribers", .serialized)
struct MQTTSubscriptionAckTests {
    private func makeClient(_ broker: MosquittoBroker, _ loop: EventLoop, version: MQTTProtocolVersion = .v311) throws -> MQTTClient {
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port), clientID: "ack-\(UUID().uuidString.prefix(8))")
        settings.protocolVersion = version
        settings.keepaliveSeconds = 10
        let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        client.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(200), jitter: false)
        return client
    }

    /// A broker whose ACL lets anonymous clients subscribe to `open/#` only (the directory
    /// holds the ACL). mosquitto's plain `acl_file` does not check subscriptions (it filters
    /// at delivery and grants every SUBSCRIBE); its dynamic security plugin refuses them.
    private func brokerWithACL() throws -> (MosquittoBroker, TemporaryDirectory) {
        let directory = TemporaryDirectory(prefix: "acl")
        let acl = directory.file("dynsec.json")
        try """
            {"defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true, "subscribe": false, "unsubscribe": true},
             "clients": [], "groups": [{"groupname": "anonymous", "roles": [{"rolename": "open"}]}],
             "roles": [{"rolename": "open", "acls": [{"acltype": "subscribePattern", "topic": "open/#", "priority": 0, "allow": true}]}],
             "anonymousGroup": "anonymous"}
            """.write(toFile: acl, atomically: true, encoding: .utf8)
        chmod(directory.path, 0o777)
        chmod(acl, 0o666)
        let plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"
        let broker = try MosquittoBroker(extraConfig: "plugin \(plugin)\nplugin_opt_config_file \(acl)\n")
        return (broker, directory)
    }

    @Test("the granted QoS reaches the subscriber, and messages flow once it has")
    func grantedQoSReachesSubscriber() throws {
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try makeClient(broker, loop)
        var grants: [String: [SubscriptionGrant]] = [:]
        var received: [String] = []
        for qos: Int32 in [0, 1, 2] {
            client.subscribe("ack/\(qos)", qos: qos, acknowledged: { grants["ack/\(qos)", default: []].append($0) }) {
                received.append($0.topic + "=" + $0.text)
            }
        }
        #expect(!client.subscriptionsAnswered, "nothing is answered before the connect")
        client.start()
        #expect(loop.run(timeout: 5) { client.subscriptionsAnswered })
        #expect(grants == ["ack/0": [.granted(qos: 0)], "ack/1": [.granted(qos: 1)], "ack/2": [.granted(qos: 2)]])
        #expect(client.stats.refusedSubscriptions == 0)

        // A second subscriber of a filter already live hears the same answer, without a new SUBSCRIBE.
        var shared: [SubscriptionGrant] = []
        let token = client.subscribe("ack/1", qos: 1, acknowledged: { shared.append($0) }) { _ in }
        #expect(client.grant(of: token) == .granted(qos: 1))
        #expect(loop.run(timeout: 5) { shared == [.granted(qos: 1)] })

        // Once answered, a message published right away arrives: no guessing how long SUBACK takes.
        try MQTTTool.publish(port: broker.port, topic: "ack/2", message: "live")
        #expect(loop.run(timeout: 5) { received == ["ack/2=live"] })
    }

    @Test("the QoS is the broker's answer, not the one asked for: max_qos 1 grants 1 to a QoS 2 subscription")
    func brokerGrantsLessThanAsked() throws {
        let broker = try MosquittoBroker(extraConfig: "max_qos 1\n")
        let loop = try EventLoop()
        let client = try makeClient(broker, loop, version: .v5)
        var grants: [SubscriptionGrant] = []
        client.subscribe("less/x", qos: 2, acknowledged: { grants.append($0) }) { _ in }
        client.start()
        #expect(loop.run(timeout: 5) { !grants.isEmpty }, "\(broker.log.suffix(600))")
        #expect(grants == [.granted(qos: 1)])
    }

    @Test("a subscription the broker's ACL refuses is reported with its reason, logged and counted",
          arguments: [(MQTTProtocolVersion.v311, Int32(0x80), "refused"), (.v5, 0x87, "not authorized")])
    func refusedSubscriptionIsReported(_ version: MQTTProtocolVersion, _ code: Int32, _ reason: String) throws {
        let (broker, aclDirectory) = try brokerWithACL()
        defer { withExtendedLifetime(aclDirectory) {} }
        let loop = try EventLoop()
        let client = try makeClient(broker, loop, version: version)
        var denied: [SubscriptionGrant] = []
        var allowed: [SubscriptionGrant] = []
        client.subscribe("secret/+/door", qos: 1, acknowledged: { denied.append($0) }) { _ in
            Issue.record("a refused subscription delivers nothing")
        }
        client.subscribe("open/x", qos: 1, acknowledged: { allowed.append($0) }) { _ in }
        let (answered, lines) = LogCapture.lines { () -> Bool in
            client.start()
            return loop.run(timeout: 5) { client.subscriptionsAnswered }
        }
        #expect(answered, "\(broker.log.suffix(600))")
        #expect(denied == [.refused(code: code, reason: reason)])
        #expect(denied.first?.isGranted == false)
        #expect(allowed == [.granted(qos: 1)], "the same client's other subscription is live")
        #expect(client.stats.refusedSubscriptions == 1)
        let warnings = lines.filter { $0.contains("refused the subscription") }
        #expect(warnings.count == 1, "\(lines)")
        #expect(warnings.first?.contains("secret/+/door") == true && warnings.first?.contains(reason) == true, "\(warnings)")
        #expect(warnings.first?.contains("ACL") == true, "\(warnings)")
    }

    @Test("after a reconnect or a broker restart each re-subscription is acknowledged again")
    func resubscriptionIsAcknowledgedAgain() throws {
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try makeClient(broker, loop)
        var grants: [SubscriptionGrant] = []
        var received: [String] = []
        let token = client.subscribe("again/x", qos: 1, acknowledged: { grants.append($0) }) { received.append($0.text) }
        client.start()
        #expect(loop.run(timeout: 5) { grants.count == 1 })

        client.reconnect()
        #expect(loop.run(timeout: 10) { client.stats.connects == 2 && grants.count == 2 })
        #expect(client.subscriptionsAnswered)

        broker.stop()
        #expect(loop.run(timeout: 5) { !client.isConnected })
        #expect(!client.subscriptionsAnswered, "an answer holds for one connection only")
        try broker.start()
        #expect(loop.run(timeout: 10) { client.stats.connects == 3 && grants.count == 3 })
        #expect(grants == Array(repeating: .granted(qos: 1), count: 3))
        #expect(client.grant(of: token) == .granted(qos: 1))
        try MQTTTool.publish(port: broker.port, topic: "again/x", message: "after")
        #expect(loop.run(timeout: 5) { received == ["after"] })
    }

    @Test("a service's subscription through its context hears the SUBACK")
    func contextPassesAcknowledgementThrough() throws {
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try makeClient(broker, loop)
        let store = ConfigStore(schema: ConfigSchema.standard, dataDirectory: "/nonexistent", environment: { _ in nil })
        let context = ServiceContext(name: "probe", store: store, loop: loop, port: client, node: "test",
                                     topicPrefix: "switchyard/test", isEnabled: true)
        var grants: [SubscriptionGrant] = []
        _ = context.subscribe("svc/in", qos: 1, acknowledged: { grants.append($0) }) { _ in }
        _ = context.subscribe("svc/plain") { _ in } // the existing form still compiles
        client.start()
        #expect(loop.run(timeout: 5) { grants == [.granted(qos: 1)] })
        context.release()
        #expect(client.subscriptionCount == 0)
    }
}
