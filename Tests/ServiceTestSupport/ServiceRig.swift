import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import TestSupport
import Uplink

/// One service as the gateway runs it, with everything real around it: a mosquitto broker on
/// loopback, a config store holding the descriptor's keys and the given settings, an event
/// loop, the gateway's MQTT client connected to the broker, and a service host with just this
/// descriptor. Each feature's tests keep only what is theirs (a simulator, a cloud fake)
/// around it.
public final class ServiceRig {
    public let descriptor: ServiceDescriptor
    /// The node name, and the topic prefix the service publishes under (`switchyard/<node>`).
    public let node: String
    public var topicPrefix: String { "switchyard/" + node }
    /// Scratch space; the store's data directory unless one was given.
    public let directory: TemporaryDirectory
    /// The broker the client connects to; nil for a rig made with `broker: false`.
    public let broker: MosquittoBroker?
    public let store: ConfigStore
    public let loop: EventLoop
    /// The gateway's uplink: the host's message port.
    public let client: MQTTClient
    public let commands = CommandRegistry()
    private var started = false

    /// The host, made on first use: a test that builds its service by hand (from `context()`)
    /// never makes the descriptor's own instance.
    public private(set) lazy var host = makeHost(commands: commands)

    /// A rig for `descriptor` whose store holds `settings` (set in key order, so a refused value
    /// throws here). With `broker` and `connect`, the client is connected when this returns;
    /// with `connect: false` it waits for `connect()` (a test of what happens before the
    /// broker is reached); with `broker: false` there is none and the client is never started
    /// (a service that needs no MQTT). `dataDirectory` overrides the store's; `mqtt` adjusts
    /// the client's settings.
    public init(descriptor: ServiceDescriptor, settings: [String: String] = [:], node: String = "test",
                broker withBroker: Bool = true, connect: Bool = true,
                dataDirectory: String? = nil, mqtt tune: (inout MQTTSettings) -> Void = { _ in },
                timeout: TimeInterval = 10) throws {
        self.descriptor = descriptor
        self.node = node
        directory = TemporaryDirectory(prefix: "rig-" + descriptor.name)
        broker = withBroker ? try MosquittoBroker() : nil
        var schema = ConfigSchema.standard
        schema.register(descriptor.keys + descriptor.storedKeys)
        store = ConfigStore(schema: schema, dataDirectory: dataDirectory ?? directory.path, environment: { _ in nil })
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) { try store.set(key, to: value) }
        loop = try EventLoop()
        var mqtt = MQTTSettings(host: "127.0.0.1", port: Int32(broker?.port ?? 1883),
                                clientID: descriptor.name + "-rig-" + UUID().uuidString.prefix(8).lowercased())
        tune(&mqtt)
        client = try MQTTClient(name: "uplink", settings: mqtt, loop: loop)
        if withBroker && connect {
            guard self.connect(timeout: timeout) else { throw RigError.notConnected(broker?.log ?? "") }
        }
    }

    /// Starts the client and runs the loop until it is connected; false after `timeout`.
    @discardableResult
    public func connect(timeout: TimeInterval = 10) -> Bool {
        client.start()
        return loop.run(timeout: timeout) { client.isConnected }
    }

    deinit { if started { host.stopAll() } }

    /// The broker's port (the rig must have one).
    public var port: Int { broker!.port }

    /// Starts the host: registers the service's commands and starts it if it is enabled.
    public func start() {
        started = true
        host.startAll()
    }

    /// Stops the host's service (a test that checks what stopping leaves behind).
    public func stop() {
        host.stopAll()
        started = false
    }

    /// Another host over the same store, loop and client, as a gateway restart makes one.
    public func makeHost(commands: CommandRegistry = CommandRegistry()) -> ServiceHost {
        ServiceHost(catalogue: [descriptor], store: store, loop: loop, port: client, node: node,
                    topicPrefix: topicPrefix, commands: commands)
    }

    /// The host's instance of the service (it changes when the host restarts it).
    public var service: Service? { host.service(named: descriptor.name) }

    /// The host's instance as `type`, or an error saying there is none.
    public func service<Kind>(as type: Kind.Type) throws -> Kind {
        guard let service = service as? Kind else { throw RigError.noService(descriptor.name) }
        return service
    }

    /// The service's health as the host sees it.
    public var health: ServiceHealth? { host.health(of: descriptor.name) }

    /// A context for a service built by hand (its own constructor, shortened timings), over the
    /// rig's store, loop and client.
    public func context(enabled: Bool = true) -> ServiceContext {
        ServiceContext(name: descriptor.name, store: store, loop: loop, port: client, node: node,
                       topicPrefix: topicPrefix, isEnabled: enabled)
    }

    /// Runs the loop until `condition` holds or `timeout` passes; returns `condition`.
    @discardableResult
    public func run(timeout: TimeInterval = 10, until condition: () -> Bool) -> Bool {
        loop.run(timeout: timeout, until: condition)
    }

    /// An independent subscriber (mosquitto_sub) on `topics`, subscribed when this returns:
    /// it collects what is published, for `MQTTObserver.payloads(on:)` and `lines`.
    public func observe(_ topics: [String], qos: Int = 1, extraArguments: [String] = []) throws -> MQTTObserver {
        try MQTTObserver(port: port, topics: topics, qos: qos, extraArguments: extraArguments)
    }

    /// Publishes `message` to `topic` from outside (mosquitto_pub).
    public func publish(_ topic: String, _ message: String, qos: Int = 1, retain: Bool = false) throws {
        try MQTTTool.publish(port: port, topic: topic, message: message, qos: qos, retain: retain)
    }

    /// Runs command `name` as `origin` would, running the loop until it answers (a deferred
    /// command answers later); a failure reply if it has not within `timeout`.
    public func command(_ name: String, _ arguments: [String], origin: CommandRequest.Origin = .console,
                        timeout: TimeInterval = 10) -> CommandReply {
        var reply: CommandReply?
        commands.execute(name, CommandRequest(origin: origin, arguments: arguments)) { reply = $0 }
        if reply == nil { loop.run(timeout: timeout) { reply != nil } }
        return reply ?? .failure("\"\(name)\" did not answer within \(timeout) s")
    }

    public enum RigError: Error, CustomStringConvertible {
        case notConnected(String)
        case noService(String)
        public var description: String {
            switch self {
            case .notConnected(let log): return "the rig's client did not connect to its broker:\n" + log
            case .noService(let name): return "the host has no \(name) service of the expected type"
            }
        }
    }
}
