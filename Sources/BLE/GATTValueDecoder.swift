/// GATT characteristic values the active mode reads: Heart Rate Measurement (0x2A37),
/// Battery Level (0x2A19) and Temperature Measurement (0x2A1C, Health Thermometer), as
/// Bluetooth's GATT specifications lay them out. Blood pressure has its own type
/// (`BloodPressureMeasurement`).
public enum GATTValueDecoder {
    public static let heartRateMeasurement: UInt16 = 0x2A37
    public static let batteryLevel: UInt16 = 0x2A19
    public static let temperatureMeasurement: UInt16 = 0x2A1C

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

    /// Temperature Measurement: flags u8 (bit0 Fahrenheit else Celsius, bit1 time stamp,
    /// bit2 temperature type), FLOAT (IEEE 11073, 32 bit), [Date Time], [type u8]. The
    /// reading is in °C; nil when short or the value is a special one (NaN, NRes, INF).
    public static func temperature(_ value: ArraySlice<UInt8>) -> SensorReading? {
        guard value.count >= 5, let flags = value.first else { return nil }
        var needed = 5
        if flags & 0x02 != 0 { needed += GATTDateTime.byteCount }
        if flags & 0x04 != 0 { needed += 1 }
        guard value.count >= needed, let number = IEEE11073Float.float(value.unsignedLE(1, 4)).finite else { return nil }
        // Fahrenheit to Celsius, rounded to 0.01 °C (a thermometer's FLOAT has two decimals at most).
        let celsius = flags & 0x01 != 0 ? ((number - 32) * 500 / 9).rounded() / 100 : number
        return SensorReading(format: .heartRateGATT, measurements: [SensorMeasurement(.temperature, celsius)])
    }
}
