import CCrypto

/// AES-128-CCM through libcrypto's EVP interface, as BLE sensors use it (BTHome v2 encrypted
/// adverts: 13-byte nonce, 4-byte MIC, no associated data).
///
/// Authentication failure is a value (`open` returns nil), not an error: a wrong key or a
/// forged advert is ordinary input that the caller counts and drops.
public enum AESCCM {
    /// Key length in bytes (AES-128).
    public static let keyCount = 16
    /// Nonce length CCM allows here (15 - L with L = 2 length bytes).
    public static let nonceCount = 13

    /// Decrypts `ciphertext` and checks `tag` (4..16 bytes) under `key` and `nonce`; nil when
    /// the sizes are wrong or the tag does not match.
    public static func open(key: [UInt8], nonce: [UInt8], ciphertext: ArraySlice<UInt8>, tag: ArraySlice<UInt8>,
                            associatedData: [UInt8] = []) -> [UInt8]? {
        guard nonce.count == nonceCount else { return nil }
        return open(key: key, anyNonce: nonce, ciphertext: ciphertext, tag: tag, associatedData: associatedData)
    }

    /// Encrypts `plaintext` under `key` and `nonce`; returns the ciphertext followed by a
    /// `tagCount`-byte tag (sensor simulators and tests; the gateway only decrypts).
    public static func seal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], tagCount: Int = 4,
                            associatedData: [UInt8] = []) -> [UInt8]? {
        guard nonce.count == nonceCount else { return nil }
        return seal(key: key, anyNonce: nonce, plaintext: plaintext, tagCount: tagCount, associatedData: associatedData)
    }
}
