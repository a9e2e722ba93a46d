/// What values a config key takes. Every accepted value has one canonical text, which is
/// what the store keeps, saves and shows (`ON` for a boolean becomes `true`, `0080` for an
/// integer becomes `80`, `mqttv5` for a choice becomes `MQTTv5`).
public enum ConfigKind: Equatable {
    /// Any text without NUL bytes (values reach C libraries as C strings).
    case string
    /// A name used in MQTT topics and interface names: 1 to 64 ASCII letters, digits,
    /// `-`, `_` or `.` (so no `/`, `+`, `#` or spaces).
    case identifier
    /// A decimal integer within `min...max`.
    case integer(min: Int, max: Int)
    /// `true`/`false`; also accepts on/off, yes/no, 1/0 in any case.
    case boolean
    /// One of `choices`, matched without regard to ASCII case.
    case choice([String])

    /// The canonical text of `text`, or nil when this kind does not accept it.
    public func canonical(_ text: String) -> String? {
        switch self {
        case .string:
            return text.utf8.contains(0) ? nil : text
        case .identifier:
            return ConfigKind.isIdentifier(text) ? text : nil
        case .integer(let min, let max):
            guard let value = ConfigText.parseInteger(text), value >= min, value <= max else { return nil }
            return String(value)
        case .boolean:
            switch ConfigText.asciiLowercased(text) {
            case "true", "on", "yes", "1": return "true"
            case "false", "off", "no", "0": return "false"
            default: return nil
            }
        case .choice(let choices):
            let wanted = ConfigText.asciiLowercased(text)
            for choice in choices where ConfigText.asciiLowercased(choice) == wanted { return choice }
            return nil
        }
    }

    /// What this kind allows, for error messages and help: `an integer from 1 to 65535`.
    public var allowed: String {
        switch self {
        case .string:
            return "any text without NUL bytes"
        case .identifier:
            return "1 to 64 letters, digits, '-', '_' or '.'"
        case .integer(let min, let max):
            return "an integer from " + String(min) + " to " + String(max)
        case .boolean:
            return "true or false (also on/off, yes/no, 1/0)"
        case .choice(let choices):
            var text = "one of "
            for (index, choice) in choices.enumerated() {
                if index > 0 { text += ", " }
                text += choice
            }
            return text
        }
    }

    /// A short name for help listings: `string`, `integer 1..65535`, `boolean`, `choice`.
    public var name: String {
        switch self {
        case .string: return "string"
        case .identifier: return "identifier"
        case .integer(let min, let max): return "integer " + String(min) + ".." + String(max)
        case .boolean: return "boolean"
        case .choice: return "choice"
        }
    }

    private static func isIdentifier(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                continue
            default:
                return false
            }
        }
        return true
    }
}
