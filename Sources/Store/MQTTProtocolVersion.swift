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

/// How the local broker is reached. WebSockets is a choice only so the seeds' `.env` files
/// load; the uplink refuses it with what to do instead (libmosquitto has no WebSockets client).
public enum MQTTTransport: String, ConfigChoice, Sendable {
    case tcp
    case websockets

    public static var configChoices: [MQTTTransport] { [.tcp, .websockets] }
    public var configName: String { rawValue }
}
