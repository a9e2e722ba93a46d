import Store

/// Which end of the tunnel this gateway is (PyMQTT2CAN's `-S` picks the server).
public enum CANTunnelMode: ConfigChoice {
    /// At the physical bus: publishes its frames on `<t>/<id>`, writes `<t>/s/<id>` to the bus.
    case server
    /// Remote (usually a virtual bus): writes `<t>/<id>` to its bus, publishes on `<t>/s/<id>`.
    case client

    public var name: String {
        switch self {
        case .server: return "server"
        case .client: return "client"
        }
    }

    /// Parses `server` or `client` (any case).
    public init?(name: String) {
        switch name.lowercased() {
        case "server": self = .server
        case "client": self = .client
        default: return nil
        }
    }
}

extension CANTunnelMode {
    public static var configChoices: [CANTunnelMode] { [.server, .client] }
    public var configName: String { name }
}
