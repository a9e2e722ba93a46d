import Crypto

/// BTHome v2 service data (UUID 0xFCD2): a device-info byte, then `id, value` objects with
/// little-endian values, optionally AES-CCM encrypted with a per-device key.
public enum BTHomeDecoder {
    /// The service data UUID.
    public static let uuid: UInt16 = 0xFCD2

    /// Why an advert did not decode (each is counted by the service).
    public enum Failure: Equatable {
        /// Too short, or an object running past the end.
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

    /// One object type: its value size, signedness and scale.
    struct ObjectType {
        let kind: MeasurementKind
        let size: Int
        let signed: Bool
        let divisor: Double
    }

    /// The object ids this decoder knows (bthome.io); decoding stops at any other id, since
    /// an unknown id's size is unknown.
    static func objectType(_ id: UInt8) -> ObjectType? {
        switch id {
        case 0x00: return ObjectType(kind: .packetID, size: 1, signed: false, divisor: 1)
        case 0x01: return ObjectType(kind: .battery, size: 1, signed: false, divisor: 1)
        case 0x02: return ObjectType(kind: .temperature, size: 2, signed: true, divisor: 100)
        case 0x03: return ObjectType(kind: .humidity, size: 2, signed: false, divisor: 100)
        case 0x04: return ObjectType(kind: .pressure, size: 3, signed: false, divisor: 100)
        case 0x05: return ObjectType(kind: .illuminance, size: 3, signed: false, divisor: 100)
        case 0x0A: return ObjectType(kind: .energy, size: 3, signed: false, divisor: 1000)
        case 0x0B: return ObjectType(kind: .power, size: 3, signed: false, divisor: 100)
        case 0x0C: return ObjectType(kind: .voltage, size: 2, signed: false, divisor: 1000)
        case 0x12: return ObjectType(kind: .co2, size: 2, signed: false, divisor: 1)
        case 0x14: return ObjectType(kind: .moisture, size: 2, signed: false, divisor: 100)
        case 0x15: return ObjectType(kind: .batteryLow, size: 1, signed: false, divisor: 1)
        case 0x1A: return ObjectType(kind: .door, size: 1, signed: false, divisor: 1)
        case 0x21: return ObjectType(kind: .motion, size: 1, signed: false, divisor: 1)
        case 0x2D: return ObjectType(kind: .window, size: 1, signed: false, divisor: 1)
        case 0x2E: return ObjectType(kind: .humidity, size: 1, signed: false, divisor: 1)
        case 0x3A: return ObjectType(kind: .button, size: 1, signed: false, divisor: 1)
        case 0x3F: return ObjectType(kind: .rotation, size: 2, signed: true, divisor: 10)
        case 0x45: return ObjectType(kind: .temperature, size: 2, signed: true, divisor: 10)
        case 0x50: return ObjectType(kind: .timestamp, size: 4, signed: false, divisor: 1)
        default: return nil
        }
    }

    /// Decodes service data `payload` (after the UUID) from `address`. `key` is the device's
    /// AES key if one is configured; `lastCounter` the last counter accepted from it.
    public static func decode(_ payload: ArraySlice<UInt8>, address: BLEAddress, key: [UInt8]?,
                              lastCounter: UInt32?) -> Outcome {
        guard let info = payload.first else { return .failed(.malformed) }
        guard info >> 5 == 2 else { return .failed(.unsupportedVersion) }
        guard info & 0x01 != 0 else {
            guard let measurements = objects(payload.dropFirst()) else { return .failed(.malformed) }
            return .reading(SensorReading(format: .bthome, measurements: measurements), counter: nil)
        }
        // info | ciphertext | counter u32 LE | MIC (4)
        guard payload.count >= 1 + 1 + 4 + 4 else { return .failed(.malformed) }
        guard let key else { return .failed(.noKey) }
        let micStart = payload.endIndex - 4
        let counterStart = micStart - 4
        let counter = payload[counterStart..<micStart].unsignedLE(0, 4)
        var nonce = address.displayBytes
        nonce.append(UInt8(uuid & 0xFF))
        nonce.append(UInt8(uuid >> 8))
        nonce.append(info)
        nonce.append(contentsOf: payload[counterStart..<micStart])
        guard let plain = AESCCM.open(key: key, nonce: nonce, ciphertext: payload[(payload.startIndex + 1)..<counterStart],
                                      tag: payload[micStart...]) else {
            return .failed(.authentication)
        }
        // Checked after the MIC, so a forged counter cannot push the remembered one forward.
        if let lastCounter, counter <= lastCounter { return .failed(.replay) }
        guard let measurements = objects(plain[...]) else { return .failed(.malformed) }
        return .reading(SensorReading(format: .bthomeEncrypted, measurements: measurements), counter: counter)
    }

    /// The objects in `bytes`; nil when one runs past the end. Stops at an unknown id.
    static func objects(_ bytes: ArraySlice<UInt8>) -> [SensorMeasurement]? {
        var measurements: [SensorMeasurement] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard let type = objectType(bytes[index]) else { break }
            let start = index + 1
            guard start + type.size <= bytes.endIndex else { return nil }
            let raw: Int64 = type.signed ? Int64(bytes.signedLE(start - bytes.startIndex, type.size))
                : Int64(bytes.unsignedLE(start - bytes.startIndex, type.size))
            measurements.append(SensorMeasurement(type.kind, raw: raw, divisor: type.divisor))
            index = start + type.size
        }
        return measurements
    }
}
