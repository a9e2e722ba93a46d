/// Lower-case hex for payloads shown to people (unknown devices' manufacturer and service
/// data). Kept here rather than using Crypto's `Hex` so the hot path formats a slice in place.
enum BLEHex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `bytes` as hex, two digits a byte.
    static func encode(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Four hex digits of a 16-bit UUID or company id, as written in specs (`fcd2`).
    static func uuid16(_ value: UInt16) -> String {
        encode([UInt8(value >> 8), UInt8(value & 0xFF)][...])
    }
}
