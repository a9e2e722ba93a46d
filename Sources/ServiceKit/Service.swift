import JSON

/// A feature service (BLE, CAN, Benchlab, ...): one lifecycle contract, so the host wires
/// them all the same way and knows nothing of what they do inside.
///
/// A service is made by its descriptor's factory from a `ServiceContext`, reads its settings
/// there, and is started once and stopped once. Settings that change make the host stop it
/// and make a new one, so a service never has to re-read its keys. Health is not asked of
/// it: the service reports changes through `context.report(_:)` when they happen.
public protocol Service: AnyObject {
    /// Registers its run-loop work, opens what it needs, subscribes. Must not block; a
    /// device that is not there yet is retried by the service (and reported as degraded),
    /// a setting that cannot work throws.
    func start() throws(ServiceError)
    /// Cancels every task, timer, watch and wake source, closes what it opened and removes
    /// its subscriptions: afterwards nothing of it runs.
    func stop()
    /// Its block in the `state` heartbeat, under its own name (counters, devices, drops).
    func stateJSON() -> JSONValue
    /// Its console/MQTT/RPC commands. Registered even when `start` failed, so `can status`
    /// can say why CAN is down.
    var commands: [Command] { get }
    /// What it counts and measures for `/metrics`, each with its kind and help (none by default).
    var metrics: [Metric] { get }
    /// What a person reads first on the dashboard, apart from its diagnostics (none by default).
    var readings: [ReadingGroup] { get }
}
