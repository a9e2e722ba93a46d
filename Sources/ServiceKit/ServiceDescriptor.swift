import CLI
import Store

/// One entry of the service catalogue: everything the gateway needs to know of a service
/// without importing anything else of it.
public struct ServiceDescriptor {
    /// Short lower-case name: its key under `services` in `state`, its logger, its commands' prefix.
    public let name: String
    /// One sentence for `help` and `config keys`.
    public let summary: String
    /// The switch that runs it (`can.enabled`).
    public let enabled: ConfigKey<Bool>
    /// Its own keys, `enabled` among them, registered in the schema with the gateway's.
    public let keys: [AnyConfigKey]
    /// Gateway-wide keys it reads too (`mqtt.qos`): a change restarts it like its own keys.
    public let sharedKeys: [AnyConfigKey]
    /// Keys the service writes itself (a cloud login's tokens, BLE's approved devices and
    /// working mode): in the schema and the saved file like the others, but not watched: the
    /// service applied the change when it wrote it, so its own save does not restart it.
    public let storedKeys: [AnyConfigKey]
    /// Makes the service. Opens nothing and cannot fail: settings that cannot work make
    /// `start()` throw, so the service and its commands exist to say what is wrong.
    public let make: (ServiceContext) -> Service
    /// Its subcommands (`switchyard can-tunnel`): listed by `help`, dispatched by name.
    public let commands: [ServiceCommand]
    /// Its checks for `switchyard selftest` (the C library it wraps links and works).
    public let selftests: [SelftestCheck]

    public init(name: String, summary: String, enabled: ConfigKey<Bool>, keys: [AnyConfigKey],
                sharedKeys: [AnyConfigKey] = [], storedKeys: [AnyConfigKey] = [],
                commands: [ServiceCommand] = [], selftests: [SelftestCheck] = [],
                make: @escaping (ServiceContext) -> Service) {
        self.name = name
        self.summary = summary
        self.enabled = enabled
        self.keys = keys
        self.sharedKeys = sharedKeys
        self.storedKeys = storedKeys
        self.make = make
        self.commands = commands
        self.selftests = selftests
        precondition(keys.contains(enabled.any), "service " + name + ": its enabled key must be one of its keys")
    }

    /// Every key a change of which restarts the service.
    public var watchedKeys: [AnyConfigKey] { keys + sharedKeys }
}
