/// GATT characteristic values the active mode reads: Heart Rate Measurement (0x2A37) and
/// Battery Level (0x2A19), as Bluetooth's GATT specifications lay them out.
public enum GATTValueDecoder {
    public static let heartRateMeasurement: UInt16 = 0x2A37
    public static let batteryLevel: UInt16 = 0x2A19

    /// Heart Rate Measurement: flags u8 (bit0 value is u16, bits1-2 contact, bit3 energy u16
    /// present, bit4 RR intervals present), value u8 or u16 LE bpm, [energy], RR u16 LE in
    /// 1/1024 s. nil when too short for what its flags announce.
    public static func heartRate(_ value: ArraySlice<UInt8>) -> SensorReading? {
        guard let flags = value.first else { return nil }
        var index = 1
        let wide = flags & 0x01 != 0
        guard value.count >= index + (wide ? 2 : 1) else { return nil }
        let bpm = wide ? Int(value.unsignedLE(index, 2)) : Int(value.byte(index))
        index += wide ? 2 : 1
        var measurements = [SensorMeasurement(.heartRate, Double(bpm))]
        if flags & 0x08 != 0 {
            guard value.count >= index + 2 else { return nil }
            index += 2
        }
        if flags & 0x10 != 0 {
            guard (value.count - index) % 2 == 0 else { return nil }
            while index + 2 <= value.count {
                measurements.append(SensorMeasurement(.rrInterval, raw: Int64(value.unsignedLE(index, 2)), divisor: 1024))
                index += 2
            }
        }
        return SensorReading(format: .heartRateGATT, measurements: measurements)
    }

    /// Battery Level: one byte, 0-100 %; nil for anything else.
    public static func battery(_ value: ArraySlice<UInt8>) -> SensorReading? {
        guard value.count == 1, let level = value.first, level <= 100 else { return nil }
        return SensorReading(format: .heartRateGATT, measurements: [SensorMeasurement(.battery, Double(level))])
    }
}
