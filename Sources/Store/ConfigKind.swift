import Runtime

/// What values a config key takes. Every accepted value has one canonical text, which is
/// what the store keeps, saves and shows (`ON` for a boolean becomes `true`, `0080` for an
/// integer becomes `80`, `mqttv5` for a choice becomes `MQTTv5`).
public enum ConfigKind: Equatable, Sendable {
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
    /// A power of two within `min...max` (ring capacities).
    case powerOfTwo(min: Int, max: Int)
    /// A duration in whole seconds within `min...max`: `90`, `90s`, `2m` or `1h`; kept as
    /// seconds (`120`).
    case duration(min: Int, max: Int)
    /// Comma-separated items without NUL bytes; spaces around items, empty items and
    /// repeats are dropped (`a, b,,a` is kept as `a,b`).
    case list
    /// A host name or an IP address: letters, digits, `-`, `.`, `_`, `:` (IPv6), 1 to 253 of them.
    case host
    /// An MQTT topic to publish on or under: no `+`, `#`, NUL, empty levels at either end.
    case topic

    /// The longest free-text value: a token or a certificate path fits, a megabyte does not.
    public static let maximumTextBytes = 8192

    /// The canonical text of `text`, or nil when this kind does not accept it.
    public func canonical(_ text: String) -> String? {
        switch self {
        case .string:
            // Line breaks and other control characters are stored escaped (see ConfigFile) and
            // shown escaped; the doors that take typed text refuse them before they get here.
            guard text.utf8.count <= ConfigKind.maximumTextBytes, !text.utf8.contains(0) else { return nil }
            return text
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
        case .powerOfTwo(let min, let max):
            guard let value = ConfigText.parseInteger(text), value >= min, value <= max,
                  value > 0, value & (value - 1) == 0 else { return nil }
            return String(value)
        case .duration(let min, let max):
            guard let seconds = ConfigKind.seconds(text), seconds >= min, seconds <= max else { return nil }
            return String(seconds)
        case .list:
            guard !text.utf8.contains(0) else { return nil }
            return ConfigKind.listItems(text).joined(separator: ",")
        case .host:
            return ConfigKind.isHost(text) ? text : nil
        case .topic:
            return MQTTTopicName.problem(text) == nil ? text : nil
        }
    }

    /// The items of a `.list` value, in order, trimmed, without empty items or repeats.
    public static func listItems(_ text: String) -> [String] {
        var items: [String] = []
        for part in text.split(separator: ",") {
            var bytes = Array(part.utf8)
            while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes.removeFirst() }
            while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
            let item = String(decoding: bytes, as: UTF8.self)
            if !item.isEmpty && !items.contains(item) { items.append(item) }
        }
        return items
    }

    /// Seconds in `90`, `90s`, `2m` or `1h`, or nil.
    static func seconds(_ text: String) -> Int? {
        var digits = ConfigText.asciiLowercased(text)
        var unit = 1
        if let last = digits.utf8.last {
            switch last {
            case UInt8(ascii: "s"): unit = 1
            case UInt8(ascii: "m"): unit = 60
            case UInt8(ascii: "h"): unit = 3600
            default: unit = 0
            }
            if unit != 0 { digits = String(decoding: digits.utf8.dropLast(), as: UTF8.self) } else { unit = 1 }
        }
        guard let value = ConfigText.parseInteger(digits), value >= 0, value <= Int.max / 3600 else { return nil }
        return value * unit
    }

    /// What this kind allows, for error messages and help: `an integer from 1 to 65535`.
    public var allowed: String {
        switch self {
        case .string:
            return "text without NUL bytes, up to " + String(ConfigKind.maximumTextBytes) + " bytes"
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
        case .powerOfTwo(let min, let max):
            return "a power of two from " + String(min) + " to " + String(max) + " (e.g. 1024, 4096)"
        case .duration(let min, let max):
            return "a duration from " + String(min) + " to " + String(max) + " seconds (e.g. 30, 30s, 5m, 1h)"
        case .list:
            return "comma-separated items without NUL bytes"
        case .host:
            return "a host name or IP address (letters, digits, '-', '.', '_', ':')"
        case .topic:
            return "an MQTT topic without '+', '#', NUL or a '/' at either end"
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
        case .powerOfTwo(let min, let max): return "power of two " + String(min) + ".." + String(max)
        case .duration(let min, let max): return "seconds " + String(min) + ".." + String(max)
        case .list: return "list"
        case .host: return "host"
        case .topic: return "topic"
        }
    }

    /// Host names may be longer than identifiers, and IPv6 addresses hold colons.
    private static func isHost(_ text: String) -> Bool {
        isName(text, maxLength: 253) { $0 == UInt8(ascii: ":") }
    }

    private static func isIdentifier(_ text: String) -> Bool {
        isName(text, maxLength: 64) { _ in false }
    }

    /// 1 to `maxLength` ASCII letters, digits, `-`, `_` or `.`, plus what `alsoAllowed` admits.
    private static func isName(_ text: String, maxLength: Int, alsoAllowed: (UInt8) -> Bool) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                continue
            default:
                if !alsoAllowed(byte) { return false }
            }
        }
        return true
    }
}
