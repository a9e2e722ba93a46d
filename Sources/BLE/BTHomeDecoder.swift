import Crypto

/// BTHome v2 service data (UUID 0xFCD2): a device-info byte, the sender's MAC when bit 1 is
/// set, then `id, value` objects (`BTHomeObjects.v2`), optionally AES-CCM encrypted with a
/// per-device key.
public enum BTHomeDecoder {
    /// The service data UUID.
    public static let uuid: UInt16 = 0xFCD2

    /// Why an advert did not decode (each is counted by the service).
    public enum Failure: Equatable {
        /// Too short, or nothing but an object running past the end.
        case malformed
        /// Version bits other than 2.
        case unsupportedVersion
        /// Encrypted, but no key is configured for the device.
        case noKey
        /// The MIC did not match: a wrong key or a forged advert.
        case authentication
        /// A counter not above the last one accepted: a replayed advert.
        case replay
    }

    /// A decoded advert and, for an encrypted one, the counter to remember.
    public enum Outcome: Equatable {
        case reading(SensorReading, counter: UInt32?)
        case failed(Failure)
    }

    /// Decodes service data `payload` (after the UUID) from `address`. `key` is the device's
    /// AES key if one is configured; `lastCounter` the last counter accepted from it.
    public static func decode(_ payload: ArraySlice<UInt8>, address: BLEAddress, key: [UInt8]?,
                              lastCounter: UInt32?) -> Outcome {
        guard let info = payload.first else { return .failed(.malformed) }
        guard info >> 5 == 2 else { return .failed(.unsupportedVersion) }
        var body = payload.dropFirst()
        var nonceAddress = address.displayBytes
        if info & 0x02 != 0 {
            // The MAC travels reversed (wire order); the nonce uses it in display order.
            guard body.count >= 6 else { return .failed(.malformed) }
            nonceAddress = Array(body.prefix(6).reversed())
            body = body.dropFirst(6)
        }
        guard info & 0x01 != 0 else { return outcome(BTHomeObjects.v2(body), format: .bthome, counter: nil) }
        // ciphertext | counter u32 LE | MIC (4)
        guard body.count >= 1 + 4 + 4 else { return .failed(.malformed) }
        guard let key else { return .failed(.noKey) }
        let micStart = body.endIndex - 4
        let counterStart = micStart - 4
        let counter = body[counterStart..<micStart].unsignedLE(0, 4)
        var nonce = nonceAddress
        nonce.append(UInt8(uuid & 0xFF))
        nonce.append(UInt8(uuid >> 8))
        nonce.append(info)
        nonce.append(contentsOf: body[counterStart..<micStart])
        guard let plain = AESCCM.open(key: key, nonce: nonce, ciphertext: body[body.startIndex..<counterStart],
                                      tag: body[micStart...]) else {
            return .failed(.authentication)
        }
        // Checked after the MIC, so a forged counter cannot push the remembered one forward.
        if let lastCounter, counter <= lastCounter { return .failed(.replay) }
        return outcome(BTHomeObjects.v2(plain[...]), format: .bthomeEncrypted, counter: counter)
    }

    /// A walk as an outcome: malformed only when nothing at all could be read.
    static func outcome(_ walk: BTHomeObjects.Walk, format: SensorFormat, counter: UInt32?) -> Outcome {
        if walk.measurements.isEmpty, let rest = walk.undecoded, !rest.isEmpty,
           BTHomeObject.lookup(rest[0]) != nil {
            return .failed(.malformed)
        }
        return .reading(SensorReading(format: format, measurements: walk.measurements, undecoded: walk.undecoded),
                        counter: counter)
    }
}
