/// Upper-case hex for SLCAN lines and candump-style text, without Foundation or
/// `String(radix:)`'s lower-case digits (SLCAN adapters expect upper case).
public enum CANHex {
    static let digits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// `value` as exactly `digits` hex digits (the high ones dropped if it does not fit).
    public static func encode(_ value: UInt32, digits count: Int) -> String {
        var bytes: [UInt8] = []
        appendDigits(value, count: count, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Every byte as two hex digits.
    public static func encode<Bytes: Collection>(_ data: Bytes) -> String where Bytes.Element == UInt8 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.count * 2)
        for byte in data { appendByte(byte, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `count` hex digits of `value`, most significant first.
    static func appendDigits(_ value: UInt32, count: Int, to bytes: inout [UInt8]) {
        var shift = (count - 1) * 4
        while shift >= 0 {
            bytes.append(digits[Int((value >> UInt32(shift)) & 0xF)])
            shift -= 4
        }
    }

    static func appendByte(_ byte: UInt8, to bytes: inout [UInt8]) {
        bytes.append(digits[Int(byte >> 4)])
        bytes.append(digits[Int(byte & 0xF)])
    }

    /// The value of one hex digit (either case), or nil.
    @inline(__always)
    static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit &- UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit &- UInt8(ascii: "A") &+ 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit &- UInt8(ascii: "a") &+ 10
        default: return nil
        }
    }

    /// The number the hex digits `bytes[range]` spell, or nil if one is not a hex digit.
    static func number(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        guard !bytes.isEmpty, bytes.count <= 8 else { return nil }
        var result: UInt32 = 0
        for byte in bytes {
            guard let digit = value(of: byte) else { return nil }
            result = result << 4 | UInt32(digit)
        }
        return result
    }

    /// Pairs of hex digits as frame data (no heap), or nil if the count is odd, a digit is
    /// not hex, or they spell more than 64 bytes.
    static func frameData(_ text: ArraySlice<UInt8>) -> CANFrameData? {
        guard text.count % 2 == 0, text.count / 2 <= CANFrameData.capacity else { return nil }
        var result = CANFrameData()
        var index = text.startIndex
        while index < text.endIndex {
            guard let high = value(of: text[index]), let low = value(of: text[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    /// A number written in decimal or with a `0x` prefix in hex (filters, console), or nil.
    public static func parseNumber(_ text: String) -> UInt32? {
        let bytes = Array(text.utf8)
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") {
            return number(bytes[2...])
        }
        return CANTopics.decimal(bytes[...])
    }
}
