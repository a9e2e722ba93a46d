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
    /// Keys the service writes itself as records (BLE's approved devices, its working mode):
    /// in the schema and the saved file like the others, but a change does not restart it,
    /// because it already applied the change when it wrote it.
    public let recordKeys: [AnyConfigKey]
    /// Makes the service. Opens nothing and cannot fail: settings that cannot work make
    /// `start()` throw, so the service and its commands exist to say what is wrong.
    public let make: (ServiceContext) -> Service

    public init(name: String, summary: String, enabled: ConfigKey<Bool>, keys: [AnyConfigKey],
                sharedKeys: [AnyConfigKey] = [], recordKeys: [AnyConfigKey] = [],
                make: @escaping (ServiceContext) -> Service) {
        self.name = name
        self.summary = summary
        self.enabled = enabled
        self.keys = keys
        self.sharedKeys = sharedKeys
        self.recordKeys = recordKeys
        self.make = make
        precondition(keys.contains(enabled.any), "service " + name + ": its enabled key must be one of its keys")
    }

    /// Every key a change of which restarts the service.
    public var watchedKeys: [AnyConfigKey] { keys + sharedKeys }
}
