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
    /// `set KEY VALUE` for each, then one `save`, for the keys the page's settings forms
    /// offer (`WebSettingsForm`).
    case settings([WebSetting])

    /// Most settings one action may change (a form has a handful).
    static let maxSettings = 16

    /// The action a POST body asks for (`{"action":"approve","address":"A4:C1:..."}`), or
    /// why it is not one; `settable` are the keys the settings forms offer.
    static func parse(_ body: JSONValue, settable: [String]) throws(WebError) -> WebAction {
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
            guard let key = body["key"]?.stringValue else { throw .invalidAction("no \"key\"") }
            return .settings([try setting(key, body["value"], settable: settable)])
        case "settings":
            guard let values = body["values"]?.objectValue, !values.isEmpty, values.count <= maxSettings else {
                throw .invalidAction("\"values\" must be an object of 1 to " + String(maxSettings) + " settings")
            }
            var settings: [WebSetting] = []
            for (key, value) in values { settings.append(try setting(key, value, settable: settable)) }
            return .settings(settings)
        default:
            throw .invalidAction("unknown action \"" + name + "\"")
        }
    }

    /// One setting of a form, checked against the keys offered (never its value in a message).
    private static func setting(_ key: String, _ value: JSONValue?, settable: [String]) throws(WebError) -> WebSetting {
        guard settable.contains(key) else {
            throw .invalidAction("\"" + key + "\" is not a setting the page offers (" + settable.joined(separator: ", ") + ")")
        }
        guard let text = value?.stringValue, text.utf8.count <= 256 else {
            throw .invalidAction(key + ": the value must be text of at most 256 bytes")
        }
        return WebSetting(key: key, value: text)
    }

    /// Changes what the gateway runs or forgets something: the page asks the person first
    /// and says so in the request (`"confirm": true`).
    var isPrivileged: Bool {
        switch self {
        case .approve, .bmwLogin: return false
        case .remove, .pair, .unpair, .restart, .settings: return true
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
        case .settings(let settings): return settings.map { ("set", [$0.key, $0.value]) } + [("save", [])]
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

/// A key and the value the page asks for it.
struct WebSetting: Equatable {
    let key: String
    let value: String
}
