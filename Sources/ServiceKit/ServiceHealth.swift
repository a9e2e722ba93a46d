/// How a service is doing, shown on the `state` topic (`services.<name>`), by `status` and
/// by the LED (SOS while one has failed).
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
