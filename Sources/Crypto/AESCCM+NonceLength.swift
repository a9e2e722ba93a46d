import CCrypto

/// AES-128-CCM with a nonce of 7 to 13 bytes: the one implementation over EVP, which the
/// 13-byte `open`/`seal` (BTHome v2) call too. BTHome v1 and Xiaomi MiBeacon use 12-byte
/// nonces (L = 3), pvvx's encrypted beacons 11.
extension AESCCM {
    /// Nonce lengths CCM allows (15 - L for L = 2...8).
    public static let nonceCounts = 7...13

    /// Like `open`, for any nonce length in `nonceCounts`; nil on wrong sizes or a tag mismatch.
    public static func open(key: [UInt8], anyNonce nonce: [UInt8], ciphertext: ArraySlice<UInt8>,
                            tag: ArraySlice<UInt8>, associatedData: [UInt8] = []) -> [UInt8]? {
        guard key.count == keyCount, nonceCounts.contains(nonce.count), tag.count >= 4, tag.count <= 16 else { return nil }
        guard let context = EVP_CIPHER_CTX_new() else { preconditionFailure("AESCCM: out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex(context, EVP_aes_128_ccm(), nil, nil, nil) == 1,
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_IVLEN, Int32(nonce.count), nil) == 1 else { return nil }
        var tagBytes = Array(tag)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), &tagBytes) == 1,
              EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1 else { return nil }
        var produced: Int32 = 0
        // CCM needs the total length before any data.
        guard EVP_DecryptUpdate(context, nil, &produced, nil, Int32(ciphertext.count)) == 1 else { return nil }
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &produced, associatedData, Int32(associatedData.count)) == 1 else {
                return nil
            }
        }
        var plain = [UInt8](repeating: 0, count: max(ciphertext.count, 1))
        let input = Array(ciphertext)
        // In CCM mode this call also verifies the tag: anything but 1 is a mismatch.
        let status = plain.withUnsafeMutableBufferPointer { out in
            EVP_DecryptUpdate(context, out.baseAddress, &produced, input, Int32(input.count))
        }
        guard status == 1 else { return nil }
        return Array(plain.prefix(ciphertext.count))
    }

    /// Like `seal`, for any nonce length in `nonceCounts` (simulators and tests).
    public static func seal(key: [UInt8], anyNonce nonce: [UInt8], plaintext: [UInt8], tagCount: Int = 4,
                            associatedData: [UInt8] = []) -> [UInt8]? {
        guard key.count == keyCount, nonceCounts.contains(nonce.count), tagCount >= 4, tagCount <= 16,
              tagCount % 2 == 0 else { return nil }
        guard let context = EVP_CIPHER_CTX_new() else { preconditionFailure("AESCCM: out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_128_ccm(), nil, nil, nil) == 1,
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_IVLEN, Int32(nonce.count), nil) == 1,
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tagCount), nil) == 1,
              EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1 else { return nil }
        var produced: Int32 = 0
        guard EVP_EncryptUpdate(context, nil, &produced, nil, Int32(plaintext.count)) == 1 else { return nil }
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &produced, associatedData, Int32(associatedData.count)) == 1 else {
                return nil
            }
        }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagCount)
        let status = out.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptUpdate(context, buffer.baseAddress, &produced, plaintext, Int32(plaintext.count))
        }
        guard status == 1 else { return nil }
        var final: Int32 = 0
        let finished = out.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(produced), &final)
        }
        guard finished == 1 else { return nil }
        var tag = [UInt8](repeating: 0, count: tagCount)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tagCount), &tag) == 1 else { return nil }
        out.replaceSubrange(plaintext.count..<(plaintext.count + tagCount), with: tag)
        return out
    }
}
