import JSON

/// What a person can do from the page, each mapped onto the console command that does it
/// (so the page can do nothing the console cannot, and the command checks its arguments).
enum WebAction: Equatable {
    case approve(address: String)
    case remove(address: String)
    case pair(address: String)
    case unpair(address: String)
    case restart
    case bmwLogin
    /// `set KEY VALUE` then `save`, for the keys the page offers (MQTT broker settings).
    case setting(key: String, value: String)

    /// Keys the settings form may change.
    static let settableKeys = ["mqtt.host", "mqtt.port", "mqtt.username", "mqtt.password", "mqtt.tls"]

    /// The action a POST body asks for (`{"action":"approve","address":"A4:C1:..."}`), or
    /// why it is not one.
    static func parse(_ body: JSONValue) throws(WebError) -> WebAction {
        guard let name = body["action"]?.stringValue else { throw .invalidAction("no \"action\"") }
        let address = body["address"]?.stringValue
        switch name {
        case "approve", "remove", "pair", "unpair":
            guard let address, isMAC(address) else { throw .invalidAction("\"address\" must be a MAC address AA:BB:CC:DD:EE:FF") }
            switch name {
            case "approve": return .approve(address: address)
            case "remove": return .remove(address: address)
            case "pair": return .pair(address: address)
            default: return .unpair(address: address)
            }
        case "restart": return .restart
        case "bmw_login": return .bmwLogin
        case "set":
            guard let key = body["key"]?.stringValue, settableKeys.contains(key) else {
                throw .invalidAction("\"key\" must be one of " + settableKeys.joined(separator: ", "))
            }
            guard let value = body["value"]?.stringValue, value.utf8.count <= 256 else {
                throw .invalidAction("\"value\" must be text of at most 256 bytes")
            }
            return .setting(key: key, value: value)
        default:
            throw .invalidAction("unknown action \"" + name + "\"")
        }
    }

    /// Changes what the gateway runs or forgets something: the page asks the person first
    /// and says so in the request (`"confirm": true`).
    var isPrivileged: Bool {
        switch self {
        case .approve, .bmwLogin: return false
        case .remove, .pair, .unpair, .restart, .setting: return true
        }
    }

    /// The console commands that do it, in order (the next runs only if the previous worked).
    var commands: [(name: String, arguments: [String])] {
        switch self {
        case .approve(let address): return [("bcms", ["approve", "--address", address])]
        case .remove(let address): return [("bcms", ["remove", "--address", address])]
        case .pair(let address): return [("bcms", ["pair", "--address", address])]
        case .unpair(let address): return [("bcms", ["unpair", "--address", address])]
        case .restart: return [("restart", [])]
        case .bmwLogin: return [("bmw", ["login"])]
        case .setting(let key, let value): return [("set", [key, value]), ("save", [])]
        }
    }

    /// Six pairs of hex digits separated by colons.
    static func isMAC(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 17 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index % 3 == 2 {
                if byte != UInt8(ascii: ":") { return false }
            } else if !((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)) {
                return false
            }
        }
        return true
    }
}

