import CCrypto

/// HMAC-SHA256 through libcrypto's one-shot `HMAC()` (never written by hand): message
/// authentication, and the core of TOTP one-time codes (Skoda's broker login).
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key` (any key length; HMAC hashes long keys).
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.digestCount)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                out.withUnsafeMutableBufferPointer { digest in
                    HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                         messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count,
                         digest.baseAddress, &length)
                }
            }
        }
        // HMAC() fails only when memory is gone or the library is broken.
        precondition(result != nil && Int(length) == SHA256.digestCount, "HMAC-SHA256 failed in libcrypto")
        return out
    }
}
