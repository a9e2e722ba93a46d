import Runtime

extension Hex {
    /// The bytes `text` spells. Upper-case digits are accepted (people paste them); anything
    /// else, an odd length included, is rejected with where it went wrong.
    public static func decode(_ text: String) throws(CryptoError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else {
            throw .invalidHex(reason: "odd number of digits (\(utf8.count))")
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(of: utf8[index]) else { throw invalidDigit(at: index) }
            guard let low = value(of: utf8[index + 1]) else { throw invalidDigit(at: index + 1) }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    // Names the offset, not the character: the text may be part of a secret.
    private static func invalidDigit(at offset: Int) -> CryptoError {
        .invalidHex(reason: "not a hex digit at offset \(offset)")
    }
}
