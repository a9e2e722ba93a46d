import CCrypto

/// Cryptographically strong random bytes from libcrypto's DRBG (seeded from `getrandom`).
public enum SecureRandom {
    /// `count` random bytes. Fails only when the generator cannot be seeded, which on a
    /// freshly booted board without an entropy source can happen; callers may retry later.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom: byte count out of range")
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        let status = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard status == 1 else { throw .randomUnavailable }
        return out
    }
}
