import Crypto

/// Xiaomi MiBeacon service data 0xFE95: frame control u16 LE (bit 3 encrypted, 4 MAC
/// included, 5 capability included, 6 objects included; bits 12-15 version), product id
/// u16, frame counter u8, the MAC reversed, a capability byte (two more when its bit 5 is
/// set), then `{type u16 LE, length u8, value}` objects. Encrypted (version 4 and 5):
/// the objects are AES-CCM ciphertext followed by a 3-byte extended counter and a 4-byte
/// MIC; nonce = MAC (wire order) | product id | frame counter | extended counter;
/// associated data 0x11; the key is the device's bindkey (`ble.bindkeys`). Legacy (versions
/// 2 and 3): ciphertext, extended counter (3), then only the first byte of a 16-byte MIC;
/// nonce = frame control | product id | frame counter | extended counter | the MAC's first
/// five bytes in wire order; the 12-byte legacy key is used as 16 bytes, with 8D 3D 3C 97
/// inserted after its sixth byte (as the key is entered in `ble.bindkeys`).
public enum MiBeaconDecoder {
    /// The service data UUID.
    public static let uuid: UInt16 = 0xFE95

    typealias F = SensorField

    /// Object types (Xiaomi's MiBeacon object list).
    static let objects: [TLVObject] = [
        TLVObject(0x1004, [F(.temperature, 0, .s16le, divisor: 10)]),
        TLVObject(0x1006, [F(.humidity, 0, .u16le, divisor: 10)]),
        TLVObject(0x1007, [F(.illuminance, 0, .u24le)]),
        TLVObject(0x1008, [F(.moisture, 0, .u8)]),
        TLVObject(0x1009, [F(.conductivity, 0, .u16le)]),
        TLVObject(0x100A, [F(.battery, 0, .u8)]),
        TLVObject(0x100D, [F(.temperature, 0, .s16le, divisor: 10), F(.humidity, 2, .u16le, divisor: 10)]),
        TLVObject(0x1010, [F(.formaldehyde, 0, .u16le, divisor: 100)]),
        TLVObject(0x4803, [F(.battery, 0, .u8)]),
        TLVObject(0x4C01, [F(.temperature, 0, .f32le)]),
        TLVObject(0x4C02, [F(.humidity, 0, .u8)]),
        TLVObject(0x4C08, [F(.humidity, 0, .f32le)]),
    ]

    /// Decodes `payload` (after the UUID) from `address` with the device's bindkey. An
    /// advert without objects (a pairing beacon) gives nil.
    public static func decode(_ payload: ArraySlice<UInt8>, address: BLEAddress, key: [UInt8]?,
                              lastCounter: UInt32?) -> BTHomeDecoder.Outcome? {
        guard payload.count >= 5 else { return .failed(.malformed) }
        let control = payload.unsignedLE(0, 2)
        guard control & 0x40 != 0 else { return nil }
        var index = payload.startIndex + 5
        var wireMAC = Array(address.displayBytes.reversed())
        if control & 0x10 != 0 {
            guard index + 6 <= payload.endIndex else { return .failed(.malformed) }
            wireMAC = Array(payload[index..<(index + 6)])
            index += 6
        }
        if control & 0x20 != 0 {
            guard index < payload.endIndex else { return .failed(.malformed) }
            let capability = payload[index]
            index += 1
            if capability & 0x20 != 0 { index += 2 }
        }
        guard index <= payload.endIndex else { return .failed(.malformed) }
        var measurements: [SensorMeasurement] = []
        guard control & 0x08 != 0 else {
            let rest = TLVObject.walk(payload[index...], typeSize: 2, table: objects, into: &measurements)
            return .reading(SensorReading(format: .miBeacon, measurements: measurements, undecoded: rest), counter: nil)
        }
        let version = control >> 12
        // Versions 4 and 5: a 4-byte MIC; 2 and 3 (legacy): the first byte of a 16-byte one.
        let micCount = version >= 4 ? 4 : 1
        guard version >= 2, payload.endIndex - index >= 1 + 3 + micCount else { return .failed(.malformed) }
        guard let key else { return .failed(.noKey) }
        let micStart = payload.endIndex - micCount
        let counterStart = micStart - 3
        let opened: [UInt8]?
        if version >= 4 {
            var nonce = wireMAC
            nonce.append(contentsOf: payload[(payload.startIndex + 2)..<(payload.startIndex + 5)])
            nonce.append(contentsOf: payload[counterStart..<micStart])
            opened = AESCCM.open(key: key, anyNonce: nonce, ciphertext: payload[index..<counterStart],
                                 tag: payload[micStart...], associatedData: [0x11])
        } else {
            var nonce = Array(payload[payload.startIndex..<(payload.startIndex + 5)])
            nonce.append(contentsOf: payload[counterStart..<micStart])
            nonce.append(contentsOf: wireMAC.prefix(5))
            opened = AESCCM.open(key: key, anyNonce: nonce, ciphertext: payload[index..<counterStart],
                                 tagPrefix: payload[micStart...], tagCount: 16, associatedData: [0x11])
        }
        guard let plain = opened else { return .failed(.authentication) }
        // Frame counter (low byte) and extended counter (high 24 bits): one 32-bit counter.
        let counter = UInt32(payload[payload.startIndex + 4]) | payload[counterStart..<micStart].unsignedLE(0, 3) << 8
        if let lastCounter, counter <= lastCounter { return .failed(.replay) }
        let rest = TLVObject.walk(plain[...], typeSize: 2, table: objects, into: &measurements)
        return .reading(SensorReading(format: .miBeaconEncrypted, measurements: measurements, undecoded: rest),
                        counter: counter)
    }
}
