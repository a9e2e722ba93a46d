import JSON
import Runtime

/// Why a service could not start: one line that says what to do.
public struct ServiceError: Error, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// How a service is doing, shown on the `state` topic and by `status`.
public enum ServiceHealth: Equatable {
    case ok
    /// Working, but something needs attention (a device gone, a broker away).
    case degraded(String)
    case failed(String)
    case disabled

    public var name: String {
        switch self {
        case .ok: return "ok"
        case .degraded: return "degraded"
        case .failed: return "failed"
        case .disabled: return "disabled"
        }
    }

    public var detail: String {
        switch self {
        case .degraded(let text), .failed(let text): return text
        case .ok, .disabled: return ""
        }
    }
}

/// A feature service (BLE, CAN, Benchlab, ...): one lifecycle contract, so the gateway
/// wires them all the same way and knows nothing of what they do inside.
public protocol Service: AnyObject {
    /// Short lower-case name (`can`, `benchlab`): its key in `state` and in logs.
    var name: String { get }
    /// Registers its run-loop work and opens what it needs. Must not block.
    func start() throws(ServiceError)
    /// Stops its work and closes what it opened.
    func stop()
    var health: ServiceHealth { get }
    /// Set by the gateway; the service calls it when `health` may have changed, so the
    /// state topic and the LED follow at once rather than at the next heartbeat.
    var onHealthChange: (() -> Void)? { get set }
    /// Its block in the `state` heartbeat (stats, devices, drops).
    func stateJSON() -> JSONValue
    /// Adds its console/MQTT/RPC commands.
    func registerCommands(_ registry: CommandRegistry)
}
