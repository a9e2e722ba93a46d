/// Qingping (ClearGrass) service data 0xFDCD: frame control, product id, the MAC reversed,
/// then `{type u8, length u8, value}` objects, little-endian.
public enum QingpingDecoder {
    /// The service data UUID.
    public static let uuid: UInt16 = 0xFDCD

    typealias F = SensorField

    /// Object types: 0x01 temperature s16 x0.1 + humidity u16 x0.1; 0x02 battery %;
    /// 0x07 pressure u16 x0.1 hPa; 0x09 illuminance u32 lx; 0x12 PM2.5 + PM10 u16;
    /// 0x13 CO2 u16 ppm.
    static let objects: [TLVObject] = [
        TLVObject(0x01, [F(.temperature, 0, .s16le, divisor: 10), F(.humidity, 2, .u16le, divisor: 10)]),
        TLVObject(0x02, [F(.battery, 0, .u8)]),
        TLVObject(0x07, [F(.pressure, 0, .u16le, divisor: 10)]),
        TLVObject(0x09, [F(.illuminance, 0, .u32le)]),
        TLVObject(0x12, [F(.pm25, 0, .u16le), F(.pm10, 2, .u16le)]),
        TLVObject(0x13, [F(.co2, 0, .u16le)]),
    ]

    /// Decodes `payload` (after the UUID); nil when too short for its header.
    public static func decode(_ payload: ArraySlice<UInt8>) -> SensorReading? {
        guard payload.count >= 8 else { return nil }
        var measurements: [SensorMeasurement] = []
        let rest = TLVObject.walk(payload.dropFirst(8), typeSize: 1, table: objects, into: &measurements)
        return SensorReading(format: .qingping, measurements: measurements, undecoded: rest)
    }
}
