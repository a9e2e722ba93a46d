/// The custom firmwares for Xiaomi LYWSD03MMC thermometers, both on service data UUID
/// 0x181A and told apart by length: ATC1441 (13 bytes, big-endian) and pvvx (15 bytes,
/// little-endian).
public enum XiaomiCustomDecoder {
    /// The Environmental Sensing service data UUID both formats use.
    public static let uuid: UInt16 = 0x181A

    /// Decodes `payload` (after the UUID); nil when it is neither format's length.
    public static func decode(_ payload: ArraySlice<UInt8>) -> SensorReading? {
        switch payload.count {
        case 13: return atc1441(payload)
        case 15: return pvvx(payload)
        default: return nil
        }
    }

    /// MAC[6] in display order, temperature s16 BE x0.1, humidity u8 %, battery u8 %,
    /// battery mV u16 BE, counter u8.
    static func atc1441(_ p: ArraySlice<UInt8>) -> SensorReading {
        SensorReading(format: .atc1441, measurements: [
            SensorMeasurement(.temperature, raw: Int64(p.signedBE16(6)), divisor: 10),
            SensorMeasurement(.humidity, Double(p.byte(8))),
            SensorMeasurement(.battery, Double(p.byte(9))),
            SensorMeasurement(.voltage, raw: Int64(p.unsignedBE16(10)), divisor: 1000),
            SensorMeasurement(.packetID, Double(p.byte(12))),
        ])
    }

    /// MAC[6] reversed, temperature s16 x0.01, humidity u16 x0.01, battery mV u16, battery u8 %,
    /// counter u8, flags u8 (all little-endian).
    static func pvvx(_ p: ArraySlice<UInt8>) -> SensorReading {
        SensorReading(format: .pvvx, measurements: [
            SensorMeasurement(.temperature, raw: Int64(p.signedLE(6, 2)), divisor: 100),
            SensorMeasurement(.humidity, raw: Int64(p.unsignedLE(8, 2)), divisor: 100),
            SensorMeasurement(.voltage, raw: Int64(p.unsignedLE(10, 2)), divisor: 1000),
            SensorMeasurement(.battery, Double(p.byte(12))),
            SensorMeasurement(.packetID, Double(p.byte(13))),
        ])
    }

    /// The MAC the advert carries, for checking against the sender's address.
    public static func embeddedAddress(_ payload: ArraySlice<UInt8>) -> BLEAddress? {
        switch payload.count {
        case 13: return BLEAddress(display: payload.prefix(6))
        case 15: return BLEAddress(wire: payload.prefix(6))
        default: return nil
        }
    }
}
