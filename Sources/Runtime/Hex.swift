/// Hexadecimal text: the one digit table for every module (digests and keys in lower case,
/// SLCAN lines and MAC addresses in upper case). The per-byte functions are inlinable: the
/// CAN tunnel calls them for every frame.
public enum Hex {
    /// Which digits to write.
    public enum Letters: Sendable {
        case lower, upper

        @usableFromInline var offset: Int { self == .lower ? 0 : 16 }
    }

    /// Lower-case digits, then upper-case ones: `digits[nibble | letters.offset]`.
    @usableFromInline static let digits: [UInt8] = Array("0123456789abcdef0123456789ABCDEF".utf8)

    /// The digit for the low four bits of `nibble`.
    @inlinable @inline(__always)
    public static func digit(_ nibble: UInt8, _ letters: Letters = .lower) -> UInt8 {
        digits[Int(nibble & 0x0F) | letters.offset]
    }

    /// Appends `byte` as two digits.
    @inlinable @inline(__always)
    public static func appendByte(_ byte: UInt8, _ letters: Letters = .lower, to bytes: inout [UInt8]) {
        bytes.append(digits[Int(byte >> 4) | letters.offset])
        bytes.append(digits[Int(byte & 0x0F) | letters.offset])
    }

    /// Appends `count` digits of `value`, most significant first (higher ones dropped).
    @inlinable
    public static func appendDigits(_ value: UInt32, count: Int, _ letters: Letters = .lower, to bytes: inout [UInt8]) {
        var shift = (count - 1) * 4
        while shift >= 0 {
            bytes.append(digits[Int((value >> UInt32(shift)) & 0xF) | letters.offset])
            shift -= 4
        }
    }

    /// `bytes` (an array or a slice of one) as hex, two digits per byte.
    public static func encode<Bytes: Collection>(_ bytes: Bytes, _ letters: Letters = .lower) -> String
        where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { appendByte(byte, letters, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` as exactly `count` digits (the high ones dropped if it does not fit).
    public static func encode(_ value: UInt32, digits count: Int, _ letters: Letters = .lower) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        appendDigits(value, count: count, letters, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of one hex digit (either case), or nil.
    @inlinable @inline(__always)
    public static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit &- UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit &- UInt8(ascii: "A") &+ 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit &- UInt8(ascii: "a") &+ 10
        default: return nil
        }
    }
}
