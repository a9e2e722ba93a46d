import Crypto

/// BTHome v1: service data UUID 0x181C (plain) or 0x181E (AES-CCM encrypted), objects with a
/// control byte each (`BTHomeObjects.v1`). Encrypted: ciphertext | counter u32 LE | MIC (4);
/// nonce = MAC (display order) | 1E 18 | counter; associated data 0x11.
public enum BTHomeV1Decoder {
    /// Plain and encrypted service data UUIDs.
    public static let plainUUID: UInt16 = 0x181C
    public static let encryptedUUID: UInt16 = 0x181E

    /// Decodes `payload` (after the UUID `uuid`) from `address`.
    public static func decode(_ payload: ArraySlice<UInt8>, uuid: UInt16, address: BLEAddress, key: [UInt8]?,
                              lastCounter: UInt32?) -> BTHomeDecoder.Outcome {
        guard uuid == encryptedUUID else {
            guard payload.count >= 2 else { return .failed(.malformed) }
            return BTHomeDecoder.outcome(BTHomeObjects.v1(payload), format: .bthomeV1, counter: nil)
        }
        guard payload.count >= 4 + 4 + 4 else { return .failed(.malformed) }
        guard let key else { return .failed(.noKey) }
        let micStart = payload.endIndex - 4
        let counterStart = micStart - 4
        let counter = payload[counterStart..<micStart].unsignedLE(0, 4)
        var nonce = address.displayBytes
        nonce.append(0x1E)
        nonce.append(0x18)
        nonce.append(contentsOf: payload[counterStart..<micStart])
        guard let plain = AESCCM.open(key: key, anyNonce: nonce, ciphertext: payload[payload.startIndex..<counterStart],
                                      tag: payload[micStart...], associatedData: [0x11]) else {
            return .failed(.authentication)
        }
        if let lastCounter, counter <= lastCounter { return .failed(.replay) }
        return BTHomeDecoder.outcome(BTHomeObjects.v1(plain[...]), format: .bthomeV1Encrypted, counter: counter)
    }
}
