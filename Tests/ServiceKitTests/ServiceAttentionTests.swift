import JSON
import Runtime
import ServiceKit
import Store
import Testing
import Uplink

/// The host's one attention channel: whatever its services report, the highest wins (the
/// LED shows it), and each service's own shows in its `state` entry.
@Suite struct ServiceAttentionTests {
    /// A service that does nothing but report what a test tells it to, through its context.
    final class Reporter: Service {
        let context: ServiceContext
        init(context: ServiceContext) { self.context = context }
        func start() throws(ServiceError) {}
        func stop() {}
        func stateJSON() -> JSONValue { .object([:]) }
        var commands: [Command] { [] }
    }

    private static func descriptor(_ name: String) -> ServiceDescriptor {
        let enabled = ConfigKey<Bool>.flag(name + ".enabled", default: true, help: "runs the reporter")
        return ServiceDescriptor(name: name, summary: "reports attention for a test", enabled: enabled,
                                 keys: [enabled.any], make: { context in Reporter(context: context) })
    }

    @Test func theHighestAttentionFollowsReportsFromTwoServices() throws {
        let loop = try EventLoop()
        var schema = ConfigSchema.standard
        let catalogue = [Self.descriptor("first"), Self.descriptor("second")]
        schema.register(catalogue.flatMap(\.keys))
        let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent", environment: { _ in nil })
        // Never started: the host only needs a port to hand its services.
        let port = try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: 1, clientID: "att"),
                                  loop: loop)
        let host = ServiceHost(catalogue: catalogue, store: store, loop: loop, port: port, node: "test",
                               topicPrefix: "switchyard/test", commands: CommandRegistry())
        var changes = 0
        host.onStateChange = { changes += 1 }
        host.startAll()
        let first = try #require(host.context(of: "first")), second = try #require(host.context(of: "second"))
        #expect(host.highestAttention == (.none, nil))

        second.report(attention: .needsPerson)
        #expect(host.highestAttention == (.needsPerson, "second"))
        first.report(attention: .updating)
        #expect(host.highestAttention == (.updating, "first"), "an update outranks a waiting login")
        #expect(changes == 2, "each report reaches the gateway at once")
        first.report(attention: .updating)
        #expect(changes == 2, "the same attention again is no news")
        #expect(host.stateJSON()["first"]?["attention"]?.stringValue == "updating")
        #expect(host.stateJSON()["second"]?["attention"]?.stringValue == "needs_person")

        // A failed service is a fault, whatever it reported.
        second.report(.failed("the bus is gone"))
        #expect(host.highestAttention == (.fault, "second"))
        #expect(host.stateJSON()["second"]?["attention"]?.stringValue == "fault")
        second.report(.ok)
        #expect(host.highestAttention == (.updating, "first"))

        first.report(attention: .none)
        #expect(host.highestAttention == (.needsPerson, "second"))
        second.report(attention: .none)
        #expect(host.highestAttention == (.none, nil))
        #expect(host.stateJSON()["first"]?["attention"] == nil, "no attention, no member")
        host.stopAll()
    }

    @Test func attentionIsOrderedAsTheLEDShowsIt() {
        #expect(Attention.allCases.sorted() == [.none, .notConnected, .needsPerson, .updating, .fault])
        #expect(Attention.allCases.map(\.name) == ["none", "not_connected", "needs_person", "updating", "fault"])
    }
}
