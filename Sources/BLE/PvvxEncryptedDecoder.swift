import Crypto

/// The encrypted 0x181A beacons of the pvvx ATC_MiThermometer firmware (its
/// `custom_beacon.h`, "Energy efficient format (low security level)"), told apart from the
/// plain 0x181A layouts by length. Service data after the UUID: a measurement counter u8,
/// the AES-CCM ciphertext, a 4-byte MIC. Nonce (11 bytes) = the device's MAC in wire order
/// (least significant byte first) | the AD structure's head as sent: its length byte
/// (payload + 3), 0x16, 0x1A 0x18, the counter; associated data 0x11; the key is the
/// device's bindkey (the firmware has one bindkey for all its encrypted beacons).
/// - "pvvx" (11 bytes): temperature s16 LE x0.01 °C, humidity u16 LE x0.01 %, battery %,
///   trigger flags (not published).
/// - "atc1441" (8 bytes): temperature u8 x0.5 °C - 40, humidity u8 x0.5 %, battery % in
///   bits 0-6 (bit 7 the trigger output, not published).
public enum PvvxEncryptedDecoder {
    /// The service data UUID (shared with the plain atc1441, pvvx and b-parasite layouts).
    public static let uuid: UInt16 = 0x181A

    typealias F = SensorField

    /// A layout: its service data length and the fields of its decrypted bytes.
    struct Layout {
        let length: Int
        let format: SensorFormat
        let fields: [SensorField]
    }

    static let layouts: [Layout] = [
        Layout(length: 11, format: .pvvxEncrypted, fields: [
            F(.temperature, 0, .s16le, divisor: 100), F(.humidity, 2, .u16le, divisor: 100), F(.battery, 4, .u8),
        ]),
        Layout(length: 8, format: .atc1441Encrypted, fields: [
            F(.temperature, 0, .u8, divisor: 2, bias: -80), F(.humidity, 1, .u8, divisor: 2),
            F(.battery, 2, .u8, mask: 0x7F),
        ]),
    ]

    /// Half the counter's range: a counter at most this far past the last accepted one is new.
    static let counterWindow: UInt32 = 127

    /// Decodes `payload` (after the UUID) from `address` with the device's bindkey; nil when
    /// its length is none of the encrypted layouts' (a plain 0x181A layout, decoded by the table).
    public static func decode(_ payload: ArraySlice<UInt8>, address: BLEAddress, key: [UInt8]?,
                              lastCounter: UInt32?) -> BTHomeDecoder.Outcome? {
        var found: Layout?
        for layout in layouts where layout.length == payload.count { found = layout }
        guard let layout = found else { return nil }
        guard let key else { return .failed(.noKey) }
        let counter = payload[payload.startIndex]
        let micStart = payload.endIndex - 4
        var nonce = Array(address.displayBytes.reversed())
        nonce.append(UInt8(payload.count + 3))
        nonce.append(0x16)
        nonce.append(UInt8(uuid & 0xFF))
        nonce.append(UInt8(uuid >> 8))
        nonce.append(counter)
        guard let plain = AESCCM.open(key: key, anyNonce: nonce, ciphertext: payload[(payload.startIndex + 1)..<micStart],
                                      tag: payload[micStart...], associatedData: [0x11]) else {
            return .failed(.authentication)
        }
        // The counter is 8 bits and wraps: new when 1...127 steps past the last accepted one
        // (serial number arithmetic). The same packet again (the firmware repeats it until
        // its next measurement) and older ones are refused as replays.
        if let lastCounter, (UInt32(counter) &- lastCounter) & 0xFF == 0
            || (UInt32(counter) &- lastCounter) & 0xFF > counterWindow {
            return .failed(.replay)
        }
        let bytes = FieldBytes(head: nil, body: plain[...])
        var measurements: [SensorMeasurement] = []
        for field in layout.fields {
            if let measurement = field.read(bytes) { measurements.append(measurement) }
        }
        measurements.append(SensorMeasurement(.packetID, Double(counter)))
        return .reading(SensorReading(format: layout.format, measurements: measurements), counter: UInt32(counter))
    }
}
