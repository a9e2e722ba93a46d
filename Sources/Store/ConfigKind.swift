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
    /// A host name (dot-separated labels of letters, digits, `-` and `_`, 1 to 253 bytes) or
    /// an IPv4 or IPv6 literal that `inet_pton` reads.
    case host
    /// An MQTT topic to publish on or under: no `+`, `#`, NUL, empty levels at either end.
    case topic
    /// An IP literal to listen on: IPv4 only when `ipv6` is false (the RPC door binds
    /// `AF_INET`), IPv4 or IPv6 otherwise (the dashboard).
    case ipAddress(ipv6: Bool)
    /// Empty (none), or the path of a file (`directory` false) or directory the gateway can
    /// read. The path is checked at `set`; a saved path that has gone missing is kept and
    /// reported at load, so its service says which key is wrong.
    case path(directory: Bool)
    /// Empty (none), or an `http://` or `https://` URL with a valid host.
    case url
    /// Empty (not set), or a UUID (8-4-4-4-12 hex digits); spaces around it are dropped.
    case uuid
    /// Comma-separated items of exactly `bytes` bytes in hex each (`ota.public_keys`), kept in
    /// lower case.
    case hexList(bytes: Int)
    /// Comma-separated MAC addresses (`AA:BB:CC:DD:EE:FF`, `-` or no separators accepted),
    /// kept upper case with colons.
    case macList
    /// Comma-separated `MAC=VALUE` pairs, where VALUE is a UUID (`.uuid`) or `bytes` bytes of
    /// hex (`.hex(bytes:)`).
    case macPairs(MACPairValue)
    /// CAN accept filters: `ID:MASK` or `ID` items (decimal or `0x` hex, up to 0x1FFFFFFF),
    /// separated by commas or spaces; empty for everything.
    case canFilters
    /// One of the listed integers (the standard CAN bit rates).
    case integerChoice([Int])
    /// Empty (no Wi-Fi), or a Wi-Fi network name: 1 to 32 bytes without NUL (IEEE 802.11).
    case wifiSSID
    /// Empty (an open network), a WPA2 passphrase of 8 to 63 printable ASCII characters, or
    /// the PSK itself as 64 hex digits (IEEE 802.11i annex H.4).
    case wifiPassphrase
    /// An ISO 3166 alpha-2 country code: two ASCII letters, kept upper case.
    case countryCode

    /// What follows the `=` of a `.macPairs` item.
    public enum MACPairValue: Equatable, Sendable {
        case uuid
        case hex(bytes: Int)
    }

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
        case .ipAddress(let ipv6):
            return ConfigKind.isIPAddress(text, ipv6: ipv6) ? text : nil
        case .path:
            guard text.utf8.count <= 4096, !text.utf8.contains(0) else { return nil }
            return text
        case .url:
            return text.isEmpty || ConfigKind.isURL(text) ? text : nil
        case .uuid:
            let trimmed = ConfigKind.trimmed(text)
            return trimmed.isEmpty || ConfigKind.isUUID(trimmed) ? trimmed : nil
        case .hexList(let bytes):
            var items: [String] = []
            for item in ConfigKind.listItems(text) {
                guard let hex = ConfigKind.hex(item, bytes: bytes) else { return nil }
                if !items.contains(hex) { items.append(hex) }
            }
            return items.joined(separator: ",")
        case .macList:
            var items: [String] = []
            for item in ConfigKind.listItems(text) {
                guard let mac = ConfigKind.mac(item) else { return nil }
                if !items.contains(mac) { items.append(mac) }
            }
            return items.joined(separator: ",")
        case .macPairs(let value):
            return ConfigKind.macPairs(text, value)
        case .canFilters:
            return ConfigKind.canFilters(text)
        case .integerChoice(let choices):
            guard let value = ConfigText.parseInteger(text), choices.contains(value) else { return nil }
            return String(value)
        case .wifiSSID:
            return ConfigKind.isWifiSSID(text) ? text : nil
        case .wifiPassphrase:
            return ConfigKind.isWifiPassphrase(text) ? text : nil
        case .countryCode:
            return ConfigKind.countryCode(text)
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
            return "a host name (letters, digits, '-' and '_' in dot-separated labels) or an IPv4 or IPv6 address"
        case .topic:
            return "an MQTT topic without '+', '#', NUL or a '/' at either end"
        case .ipAddress(let ipv6):
            return ipv6 ? "an IPv4 or IPv6 address, e.g. 127.0.0.1, 0.0.0.0 or ::1" : "an IPv4 address, e.g. 127.0.0.1 or 0.0.0.0"
        case .path(let directory):
            return directory ? "the path of a readable directory, or empty for none" : "the path of a readable file, or empty for none"
        case .url:
            return "an http:// or https:// URL, or empty"
        case .uuid:
            return "a UUID like 01234567-89ab-cdef-0123-456789abcdef, or empty"
        case .hexList(let bytes):
            return "comma-separated keys of " + String(bytes * 2) + " hex digits each"
        case .macList:
            return "comma-separated MAC addresses like AA:BB:CC:DD:EE:FF"
        case .macPairs(.uuid):
            return "comma-separated MAC=UUID pairs (MAC= while the id is not known yet), e.g. AA:BB:CC:DD:EE:FF=01234567-89ab-cdef-0123-456789abcdef"
        case .macPairs(.hex(let bytes)):
            return "comma-separated MAC=KEY pairs, KEY being " + String(bytes * 2) + " hex digits"
        case .canFilters:
            return "CAN filters as ID:MASK or ID, comma-separated, in decimal or 0x hex up to 0x1FFFFFFF (e.g. 0x7E8:0x7F8,0x100)"
        case .integerChoice(let choices):
            return "one of " + choices.map { String($0) }.joined(separator: ", ")
        case .wifiSSID:
            return "a Wi-Fi network name of 1 to 32 bytes, or empty for no Wi-Fi"
        case .wifiPassphrase:
            return "a passphrase of 8 to 63 printable ASCII characters, 64 hex digits, or empty for an open network"
        case .countryCode:
            return "two letters, an ISO 3166 country code (e.g. DE, GB, US)"
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
        case .ipAddress: return "IP address"
        case .path(let directory): return directory ? "directory" : "file"
        case .url: return "URL"
        case .uuid: return "UUID"
        case .hexList(let bytes): return "list of " + String(bytes) + "-byte hex keys"
        case .macList: return "list of MACs"
        case .macPairs(.uuid): return "list of MAC=UUID"
        case .macPairs(.hex(let bytes)): return "list of MAC=" + String(bytes) + "-byte hex key"
        case .canFilters: return "CAN filters"
        case .integerChoice: return "choice"
        case .wifiSSID: return "Wi-Fi SSID"
        case .wifiPassphrase: return "Wi-Fi passphrase"
        case .countryCode: return "country code"
        }
    }
}
