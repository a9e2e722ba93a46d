import CCrypto

/// Base64 decoding through libcrypto's `EVP_DecodeBlock`, in both alphabets: standard and
/// the URL-safe one without padding that JSON Web Tokens use.
public enum Base64 {
    /// Decodes standard base64 (`+/`, `=` padding optional).
    public static func decode(_ text: String) throws(CryptoError) -> [UInt8] {
        try decodeBlock(Array(text.utf8))
    }

    /// Decodes base64url (`-_`, no padding), e.g. a JWT's payload.
    public static func decodeURL(_ text: String) throws(CryptoError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 3)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: "/"))
            default: bytes.append(byte)
            }
        }
        return try decodeBlock(bytes)
    }

    private static func decodeBlock(_ input: [UInt8]) throws(CryptoError) -> [UInt8] {
        var padded = input
        while padded.last == UInt8(ascii: "=") { padded.removeLast() }
        let significant = padded.count
        if significant % 4 == 1 { throw .invalidBase64(reason: "length \(input.count) cannot be base64") }
        while padded.count % 4 != 0 { padded.append(UInt8(ascii: "=")) }
        guard !padded.isEmpty else { return [] }
        var out = [UInt8](repeating: 0, count: padded.count / 4 * 3)
        let written = padded.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                EVP_DecodeBlock(target.baseAddress, source.baseAddress, Int32(source.count))
            }
        }
        guard written >= 0 else { throw .invalidBase64(reason: "a character outside the base64 alphabet") }
        // EVP_DecodeBlock counts the bytes the padding stands for as zeros; drop them.
        let padding = padded.count - significant
        return Array(out.prefix(Int(written) - padding))
    }
}
