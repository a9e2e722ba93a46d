import Runtime

/// CAN's hex text: identifiers, frame data and filter numbers as SLCAN lines and
/// candump-style text spell them. The digits themselves are Runtime's `Hex` (upper case:
/// SLCAN adapters expect it).
public enum CANHex {
    /// The number the hex digits `bytes[range]` spell, or nil if one is not a hex digit.
    static func number(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        guard !bytes.isEmpty, bytes.count <= 8 else { return nil }
        var result: UInt32 = 0
        for byte in bytes {
            guard let digit = Hex.value(of: byte) else { return nil }
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
            guard let high = Hex.value(of: text[index]), let low = Hex.value(of: text[index + 1]) else { return nil }
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
