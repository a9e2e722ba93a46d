/// Everything the Uplink module can fail with.
public enum UplinkError: Error, Equatable {
    /// A libmosquitto call failed; `call` names it, `message` is mosquitto's own text.
    case mosquitto(call: String, code: Int32, message: String)
    /// The settings ask for something we cannot do (e.g. WebSockets).
    case unsupported(String)
    /// A setting is missing or contradicts another.
    case invalidSettings(String)
    /// A spooled outbox file is malformed (why).
    case corruptSpool(String)

    public var description: String {
        switch self {
        case .mosquitto(let call, let code, let message): return "\(call) failed: \(message) (\(code))"
        case .unsupported(let text): return text
        case .invalidSettings(let text): return text
        case .corruptSpool(let reason): return reason
        }
    }
}
