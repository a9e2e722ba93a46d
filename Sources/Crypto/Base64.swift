import CCrypto

/// Base64 through libcrypto's EVP_EncodeBlock/EVP_DecodeBlock, plus the URL-safe unpadded
/// form (RFC 4648 section 5) that OAuth PKCE and JWTs use.
public enum Base64 {
    /// Standard Base64 with padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "" }
        var output = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let written = bytes.withUnsafeBufferPointer { input in
            EVP_EncodeBlock(&output, input.baseAddress, Int32(input.count))
        }
        return String(decoding: output[0..<Int(written)], as: UTF8.self)
    }

    /// URL-safe Base64 without padding: `+/` become `-_`, trailing `=` dropped.
    public static func encodeURL(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        for byte in encode(bytes).utf8 {
            switch byte {
            case UInt8(ascii: "+"): text.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): text.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): break
            default: text.append(byte)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of standard or URL-safe Base64, padded or not; nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        var input: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-"): input.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): input.append(UInt8(ascii: "/"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                input.append(byte)
            case UInt8(ascii: "="): break
            default: return nil
            }
        }
        if input.count % 4 == 1 { return nil }
        // EVP_DecodeBlock wants whole quads and counts padding as zero bytes: pad, then trim.
        let padding = (4 - input.count % 4) % 4
        for _ in 0..<padding { input.append(UInt8(ascii: "=")) }
        guard !input.isEmpty else { return [] }
        var output = [UInt8](repeating: 0, count: input.count / 4 * 3)
        let written = input.withUnsafeBufferPointer { source in
            EVP_DecodeBlock(&output, source.baseAddress, Int32(source.count))
        }
        guard written >= 0 else { return nil }
        return Array(output[0..<(Int(written) - padding)])
    }
}
