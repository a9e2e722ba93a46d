import Runtime
import Uplink

/// Why the gateway could not start or keep running.
enum GatewayError: Error {
    case runtime(RuntimeError)
    case uplink(UplinkError)

    var description: String {
        switch self {
        case .runtime(let error): return error.description
        case .uplink(let error): return "mqtt: " + error.description
        }
    }
}
