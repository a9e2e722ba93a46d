import CJSON

/// Compact JSON written straight into a byte buffer the caller keeps and reuses: for what is
/// published per message (a BLE advert, thousands a second), where building a `JSONValue`,
/// a cJSON tree and a String per message costs more than the message is worth.
///
/// The text is byte for byte what `JSONValue.serialized()` prints for the same members in
/// the same order (cJSON's escapes, its integers, our exact fractions), so a receiver cannot
/// tell which path a message took. The writer does not check structure (a key outside an
/// object, unbalanced ends): callers are a few fixed layouts, proved by their tests.
public struct JSONWriter {
    /// The text so far.
    public private(set) var bytes: [UInt8]
    // Whether the next member or element needs a comma before it.
    private var needsComma = false

    /// An empty writer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the text, keeping the buffer's storage for the next message.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// A member's key; its value comes next.
    public mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) { separate(); appendString(value); needsComma = true }
    public mutating func bool(_ value: Bool) { separate(); appendASCII(value ? "true" : "false"); needsComma = true }
    public mutating func null() { separate(); appendASCII("null"); needsComma = true }

    public mutating func int<T: BinaryInteger>(_ value: T) {
        separate()
        appendDecimal(Int64(value))
        needsComma = true
    }

    /// A number as `serialized()` prints it: integers below 2^63 as plain digits, fractions in
    /// the fewest digits that read back exactly, NaN and infinity (which JSON cannot say) as null.
    public mutating func number(_ value: Double) {
        separate()
        needsComma = true
        guard value - value == 0 else { return appendASCII("null") }
        let magnitude = value < 0 ? -value : value
        if magnitude < 1e15, let integral = Int64(exactly: value) {
            appendDecimal(integral)
            return
        }
        if appendShortDecimal(value, magnitude: magnitude) { return }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { text in
            sy_json_format_number(value, text.baseAddress!)
            var index = 0
            while index < 32 && text[index] != 0 {
                bytes.append(UInt8(bitPattern: text[index]))
                index += 1
            }
        }
    }

    /// Any value, written member by member.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for (name, member) in object {
                key(name)
                self.value(member)
            }
            endObject()
        }
    }

    /// Sensor values mostly have one to three decimals (21.5, 3.105): such a value prints as
    /// those digits without snprintf. When `value` is exactly the double nearest to n / 10^k
    /// for some k <= 4 (checked by one correctly rounded division), that decimal has at most
    /// 15 significant digits, reads back to `value`, and is what "%.15g" prints for it
    /// (trailing zeros dropped, no exponent between 1e-4 and 1e15); anything else returns false.
    private mutating func appendShortDecimal(_ value: Double, magnitude: Double) -> Bool {
        guard magnitude >= 1e-4 && magnitude < 1e11 else { return false }
        var scale = 1.0
        for places in 1...4 {
            scale *= 10
            let scaled = (magnitude * scale).rounded()
            guard scaled < 1e15, Double(scaled) / scale == magnitude else { continue }
            var units = UInt64(scaled)
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // room for 24 characters
            var count = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                var place = 0
                var trailing = true
                // Fraction digits from the last, trailing zeros dropped; then the point and
                // the integer part (at least "0").
                while place < places {
                    let digit = UInt8(units % 10)
                    units /= 10
                    place += 1
                    if trailing && digit == 0 { continue }
                    trailing = false
                    buffer[count] = UInt8(ascii: "0") + digit
                    count += 1
                }
                if count > 0 {
                    buffer[count] = UInt8(ascii: ".")
                    count += 1
                }
                repeat {
                    buffer[count] = UInt8(ascii: "0") + UInt8(units % 10)
                    units /= 10
                    count += 1
                } while units > 0
                if value < 0 { bytes.append(UInt8(ascii: "-")) }
                while count > 0 {
                    count -= 1
                    bytes.append(buffer[count])
                }
            }
            return true
        }
        return false
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendASCII(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func appendDecimal(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes: room for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            while count > 0 {
                count -= 1
                bytes.append(buffer[count])
            }
        }
    }

    /// A string literal with cJSON's escapes: quote, backslash, \b \f \n \r \t, other control
    /// characters as \u00XX; everything else (UTF-8 included) as it is. A string holding
    /// U+0000 gets JSONStringEscape's (\u0008, \u000c), as `serialized()` gives it.
    private mutating func appendString(_ text: String) {
        let start = bytes.count
        if !appendEscaped(text, shortEscapes: true) {
            // It holds U+0000 (rare): again, with the other escapes.
            bytes.removeSubrange(start...)
            _ = appendEscaped(text, shortEscapes: false)
        }
    }

    /// Writes the literal; with `shortEscapes`, stops and returns false at a U+0000.
    private mutating func appendEscaped(_ text: String, shortEscapes: Bool) -> Bool {
        bytes.append(UInt8(ascii: "\""))
        // Nearly every key and value needs no escape: copied in one go, not byte by byte.
        let copied = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        for byte in text.utf8 {
            if byte == 0 && shortEscapes { return false }
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x08 where shortEscapes: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
            case 0x0C where shortEscapes: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0x00..<0x20:
                let hex: StaticString = "0123456789abcdef"
                appendASCII("\\u00")
                hex.withUTF8Buffer { digits in
                    bytes.append(digits[Int(byte >> 4)])
                    bytes.append(digits[Int(byte & 0xF)])
                }
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return true
    }
}
