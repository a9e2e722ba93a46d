/// AES-128-CCM whose MIC travels cut short: Xiaomi's legacy MiBeacon (versions 2 and 3)
/// computes a 16-byte MIC and sends only its first byte. OpenSSL checks whole tags only, so
/// the plaintext is recovered from the CCM keystream and sealed again to compare the prefix.
extension AESCCM {
    /// The plaintext of `ciphertext` when the `tagCount`-byte MIC over it begins with
    /// `tagPrefix`; nil on wrong sizes or a mismatch.
    public static func open(key: [UInt8], anyNonce nonce: [UInt8], ciphertext: ArraySlice<UInt8>,
                            tagPrefix: ArraySlice<UInt8>, tagCount: Int, associatedData: [UInt8] = []) -> [UInt8]? {
        guard !tagPrefix.isEmpty, tagPrefix.count <= tagCount else { return nil }
        // CCM encrypts in CTR mode: sealing zeros gives the keystream (the tag is not used).
        guard let stream = seal(key: key, anyNonce: nonce, plaintext: [UInt8](repeating: 0, count: ciphertext.count)) else {
            return nil
        }
        var plain = [UInt8](repeating: 0, count: ciphertext.count)
        for (index, byte) in ciphertext.enumerated() { plain[index] = byte ^ stream[index] }
        guard let sealed = seal(key: key, anyNonce: nonce, plaintext: plain, tagCount: tagCount,
                                associatedData: associatedData) else { return nil }
        // Constant time over the prefix, like a full tag comparison.
        var difference: UInt8 = 0
        for (index, byte) in tagPrefix.enumerated() { difference |= byte ^ sealed[plain.count + index] }
        return difference == 0 ? plain : nil
    }
}
