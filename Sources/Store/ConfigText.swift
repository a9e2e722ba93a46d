/// Text helpers shared by the Store: turning values into one-line display text, and
/// parsing integers without Foundation (and without accepting what `Int(_:)` would).
enum ConfigText {
    /// What a secret looks like on a console, in a log or in an error.
    static let mask = "***"

    /// Longest value an error message repeats before cutting it short.
    static let displayLimit = 80

    /// `value` made safe for one line: control characters become escapes (`\n`, `\t`,
    /// `\x1b`), so a value can never forge a second log line.
    static func escaped(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7F:
                let hex: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7",
                                        "8", "9", "a", "b", "c", "d", "e", "f"]
                out += "\\x"
                out.append(hex[Int(scalar.value >> 4)])
                out.append(hex[Int(scalar.value & 0xF)])
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` cut to `displayLimit` characters with `...` when longer.
    static func shortened(_ text: String) -> String {
        guard text.count > displayLimit else { return text }
        return String(text.prefix(displayLimit)) + "..."
    }

    /// How a value of a key is shown anywhere but to the code that needs it: secrets as
    /// `***` (an empty secret as `""`, since emptiness gives nothing away and "why is there
    /// no password" is a question users ask), other values escaped, empty as `""`.
    static func display(_ value: String, secret: Bool) -> String {
        if value.isEmpty { return "\"\"" }
        return secret ? mask : escaped(value)
    }

    /// A decimal integer: optional `-`, then digits only; nil on anything else or overflow.
    static func parseInteger(_ text: String) -> Int? {
        var digits = Array(text.utf8)[...]
        var negative = false
        if digits.first == UInt8(ascii: "-") {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? shifted.subtractingReportingOverflow(digit)
                : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
        }
        return value
    }

    /// ASCII lowercase, for matching choices and booleans (non-ASCII stays as it is).
    static func asciiLowercased(_ text: String) -> String {
        var bytes = Array(text.utf8)
        for index in bytes.indices where bytes[index] >= UInt8(ascii: "A") && bytes[index] <= UInt8(ascii: "Z") {
            bytes[index] += 32
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
