/// MQTT protocol versions libmosquitto speaks.
public enum MQTTProtocolVersion: Equatable, Sendable {
    case v31
    case v311
    case v5

    /// Parses the Benchlab seed's names (`MQTTv311`, `MQTTv5`, `MQTTv31`) and plain numbers.
    public init?(name: String) {
        switch name.lowercased() {
        case "mqttv31", "3.1", "31": self = .v31
        case "mqttv311", "3.1.1", "311", "4": self = .v311
        case "mqttv5", "5", "5.0": self = .v5
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .v31: return "MQTTv31"
        case .v311: return "MQTTv311"
        case .v5: return "MQTTv5"
        }
    }
}

extension MQTTProtocolVersion: ConfigChoice {
    public static var configChoices: [MQTTProtocolVersion] { [.v311, .v5, .v31] }
    public var configName: String { name }
}

/// How the local broker is reached: plain TCP only (TLS on top as configured). libmosquitto
/// has no WebSockets client, so `websockets` (a choice of the seeds' `.env` files) is refused
/// at `set` with what is allowed, rather than accepted and fatal at the next start.
public enum MQTTTransport: String, ConfigChoice, Sendable {
    case tcp

    public static var configChoices: [MQTTTransport] { [.tcp] }
    public var configName: String { rawValue }
}
