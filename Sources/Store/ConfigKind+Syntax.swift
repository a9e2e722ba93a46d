import CSupport
import Runtime

/// The syntax checks behind `ConfigKind.canonical`: names, addresses, URLs, UUIDs, hex keys,
/// MAC addresses and CAN filters. Each accepts no more than the module that reads the key
/// can use (BLE's `BLEAddress`, CAN's `CANFilter`, the sockets' `inet_pton`), so a value
/// `set` takes never stops a service at its start.
extension ConfigKind {
    static func isIdentifier(_ text: String) -> Bool {
        isName(text, maxLength: 64)
    }

    /// A host name, or an IPv4 or IPv6 literal. Text of only digits and dots is an IPv4
    /// address or nothing (`999.1.1.1` is no name a resolver would find).
    static func isHost(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        if bytes.contains(UInt8(ascii: ":")) { return isIPAddress(text, ipv6: true) }
        if bytes.allSatisfy({ $0 == UInt8(ascii: ".") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }) {
            return isIPAddress(text, ipv6: false)
        }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                  isName(String(decoding: label, as: UTF8.self), maxLength: 63, dot: false) else { return false }
        }
        return true
    }

    /// Whether `inet_pton` reads `text` as an IPv4 (or, when `ipv6`, also an IPv6) address.
    static func isIPAddress(_ text: String, ipv6: Bool) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 45, !text.utf8.contains(0) else { return false }
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 { return true }
        return ipv6 && inet_pton(AF_INET6, text, &buffer) == 1
    }

    /// `http://` or `https://`, a host (`[v6]` in brackets) with an optional port, then an
    /// optional path and query without spaces or control characters; no `user@`.
    static func isURL(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= 2048, bytes.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { return false }
        let lowered = Array(ConfigText.asciiLowercased(text).utf8)
        let scheme: Int
        if lowered.starts(with: Array("https://".utf8)) {
            scheme = 8
        } else if lowered.starts(with: Array("http://".utf8)) {
            scheme = 7
        } else {
            return false
        }
        var end = scheme
        while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"),
              bytes[end] != UInt8(ascii: "#") { end += 1 }
        var authority = Array(bytes[scheme..<end])
        guard !authority.contains(UInt8(ascii: "@")) else { return false }
        // A port after the last colon that follows the host (or the `]` of an IPv6 literal).
        if let colon = authority.lastIndex(of: UInt8(ascii: ":")), authority.first != UInt8(ascii: "[")
            || authority[..<colon].last == UInt8(ascii: "]") {
            let port = String(decoding: authority[(colon + 1)...], as: UTF8.self)
            guard let number = ConfigText.parseInteger(port), number >= 1, number <= 65535 else { return false }
            authority = Array(authority[..<colon])
        }
        if authority.first == UInt8(ascii: "[") {
            guard authority.count > 2, authority.last == UInt8(ascii: "]") else { return false }
            return isIPAddress(String(decoding: authority.dropFirst().dropLast(), as: UTF8.self), ipv6: true)
        }
        let host = String(decoding: authority, as: UTF8.self)
        return !host.contains(":") && isHost(host)
    }

    /// 8-4-4-4-12 hex digits, the form every UUID a portal hands out has.
    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard Hex.value(of: byte) != nil else { return false }
            }
        }
        return true
    }

    /// `text` without spaces, tabs or line breaks at either end (a pasted id).
    static func trimmed(_ text: String) -> String {
        var bytes = Array(text.utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        while let first = bytes.first, isSpace(first) { bytes.removeFirst() }
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Exactly `count` bytes of hex, in lower case; nil for anything else.
    static func hex(_ text: String, bytes count: Int) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == count * 2 else { return nil }
        var out: [UInt8] = []
        for byte in bytes {
            guard let nibble = Hex.value(of: byte) else { return nil }
            out.append(Hex.digit(nibble))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A MAC address as `AA:BB:CC:DD:EE:FF`: twelve hex digits, pairs separated by `:` or
    /// `-` or not at all (what BLE's `BLEAddress` reads); nil for anything else.
    static func mac(_ text: String) -> String? {
        var digits: [UInt8] = []
        var sinceSeparator = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-") {
                guard sinceSeparator == 2, digits.count < 12 else { return nil }
                sinceSeparator = 0
                continue
            }
            guard let nibble = Hex.value(of: byte), digits.count < 12 else { return nil }
            digits.append(Hex.digit(nibble, .upper))
            sinceSeparator += 1
        }
        guard digits.count == 12 else { return nil }
        var out: [UInt8] = []
        for (index, digit) in digits.enumerated() {
            if index > 0 && index % 2 == 0 { out.append(UInt8(ascii: ":")) }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `MAC=VALUE,...` in canonical form, or nil when an item is not such a pair.
    static func macPairs(_ text: String, _ value: MACPairValue) -> String? {
        guard !text.utf8.contains(0) else { return nil }
        var items: [String] = []
        for item in listItems(text) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let address = mac(trimmed(parts[0])) else { return nil }
            let right = trimmed(parts[1])
            switch value {
            case .uuid:
                // `MAC=` is an approved device the backend has not given its id yet.
                guard right.isEmpty || isUUID(right) else { return nil }
                items.append(address + "=" + right)
            case .hex(let bytes):
                guard let key = hex(right, bytes: bytes) else { return nil }
                items.append(address + "=" + key)
            }
        }
        return items.joined(separator: ",")
    }

    /// CAN filter items joined by commas, or nil when one is not `ID` or `ID:MASK` with
    /// both up to 0x1FFFFFFF (what CAN's `CANFilter` reads).
    static func canFilters(_ text: String) -> String? {
        var items: [String] = []
        let separators: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "\t")]
        for word in Array(text.utf8).split(whereSeparator: { separators.contains($0) }) {
            let parts = word.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return nil }
            for part in parts {
                guard let number = canNumber(Array(part)), number <= 0x1FFF_FFFF else { return nil }
            }
            items.append(String(decoding: word, as: UTF8.self))
        }
        return items.joined(separator: ",")
    }

    /// `0x` and 1 to 8 hex digits, or 1 to 10 decimal digits, as CAN reads a number.
    private static func canNumber(_ bytes: [UInt8]) -> UInt64? {
        var value: UInt64 = 0
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") {
            guard bytes.count <= 10 else { return nil }
            for byte in bytes[2...] {
                guard let nibble = Hex.value(of: byte) else { return nil }
                value = value << 4 | UInt64(nibble)
            }
            return value
        }
        guard !bytes.isEmpty, bytes.count <= 10 else { return nil }
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// 1 to `maxLength` ASCII letters, digits, `-`, `_` (and `.` when `dot`).
    private static func isName(_ text: String, maxLength: Int, dot: Bool = true) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            case UInt8(ascii: "."):
                if !dot { return false }
            default:
                return false
            }
        }
        return true
    }
}
