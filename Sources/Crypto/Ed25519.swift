import CCrypto

/// Ed25519 signatures through libcrypto's EVP interface (RFC 8032, pure Ed25519: the
/// message is signed as is, no pre-hash). OTA manifests are signed with it.
///
/// Keys are their raw 32-byte forms: the private key is the RFC 8032 seed, the public key
/// the encoded point. Both owners free their `EVP_PKEY` in `deinit`.
public enum Ed25519 {
    /// Raw key length in bytes (seed and public key alike).
    public static let keyCount = 32
    /// Signature length in bytes.
    public static let signatureCount = 64

    /// A private key: signs, and derives its public key.
    public final class PrivateKey {
        private let key: OpaquePointer

        /// A new key from 32 secure random bytes.
        public static func generate() throws(CryptoError) -> PrivateKey {
            try PrivateKey(seed: SecureRandom.bytes(Ed25519.keyCount))
        }

        /// The key whose RFC 8032 seed is `seed` (32 bytes).
        public init(seed: [UInt8]) throws(CryptoError) {
            guard seed.count == Ed25519.keyCount else {
                throw .invalidKey(reason: "an Ed25519 private key is 32 bytes, not \(seed.count)")
            }
            let made = seed.withUnsafeBufferPointer { raw in
                EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, raw.baseAddress, raw.count)
            }
            guard let made else { throw .invalidKey(reason: "libcrypto refused the Ed25519 private key") }
            key = made
        }

        deinit { EVP_PKEY_free(key) }

        /// The 32-byte seed, for writing the key file. Callers must never log it.
        public var seed: [UInt8] {
            var out = [UInt8](repeating: 0, count: Ed25519.keyCount)
            var length = out.count
            let status = out.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_private_key(key, $0.baseAddress, &length) }
            precondition(status == 1 && length == Ed25519.keyCount, "Ed25519: cannot read back a private key")
            return out
        }

        /// The matching public key.
        public var publicKey: PublicKey {
            var out = [UInt8](repeating: 0, count: Ed25519.keyCount)
            var length = out.count
            let status = out.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(key, $0.baseAddress, &length) }
            precondition(status == 1 && length == Ed25519.keyCount, "Ed25519: cannot derive a public key")
            // The bytes came from libcrypto itself, so they are a valid point.
            guard let made = try? PublicKey(raw: out) else { preconditionFailure("Ed25519: derived key refused") }
            return made
        }

        /// The 64-byte signature of `message`.
        public func sign(_ message: [UInt8]) -> [UInt8] {
            guard let context = EVP_MD_CTX_new() else { preconditionFailure("Ed25519: EVP_MD_CTX_new failed") }
            defer { EVP_MD_CTX_free(context) }
            precondition(EVP_DigestSignInit(context, nil, nil, nil, key) == 1, "Ed25519: sign init failed")
            var signature = [UInt8](repeating: 0, count: Ed25519.signatureCount)
            var length = signature.count
            let status = signature.withUnsafeMutableBufferPointer { out in
                message.withUnsafeBufferPointer { input in
                    EVP_DigestSign(context, out.baseAddress, &length, input.baseAddress, input.count)
                }
            }
            // Signing memory with a valid key fails only when libcrypto is broken.
            precondition(status == 1 && length == Ed25519.signatureCount, "Ed25519: signing failed")
            return signature
        }
    }

    /// A public key: verifies.
    public final class PublicKey {
        private let key: OpaquePointer
        /// The 32 raw bytes (what `ota.public_keys` holds, in hex).
        public let raw: [UInt8]

        /// The key whose raw encoding is `raw` (32 bytes).
        public init(raw: [UInt8]) throws(CryptoError) {
            guard raw.count == Ed25519.keyCount else {
                throw .invalidKey(reason: "an Ed25519 public key is 32 bytes, not \(raw.count)")
            }
            let made = raw.withUnsafeBufferPointer { bytes in
                EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, bytes.baseAddress, bytes.count)
            }
            guard let made else { throw .invalidKey(reason: "libcrypto refused the Ed25519 public key") }
            key = made
            self.raw = raw
        }

        deinit { EVP_PKEY_free(key) }

        /// Whether `signature` is this key's signature of `message`. Any malformed input
        /// (a signature of the wrong length, a point not on the curve) is simply false.
        public func verify(_ signature: [UInt8], of message: [UInt8]) -> Bool {
            guard signature.count == Ed25519.signatureCount else { return false }
            guard let context = EVP_MD_CTX_new() else { preconditionFailure("Ed25519: EVP_MD_CTX_new failed") }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
            let status = signature.withUnsafeBufferPointer { sig in
                message.withUnsafeBufferPointer { input in
                    EVP_DigestVerify(context, sig.baseAddress, sig.count, input.baseAddress, input.count)
                }
            }
            // A failed verification leaves an error on the thread's queue: drop it, so an
            // unrelated later call does not report it.
            if status != 1 { ERR_clear_error() }
            return status == 1
        }
    }
}
