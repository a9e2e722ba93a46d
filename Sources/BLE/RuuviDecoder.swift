/// RuuviTag data format 5 ("RAWv2"): manufacturer data of company 0x0499, 24 bytes,
/// big-endian. Fields the tag marks invalid (0x8000, 0xFFFF, ...) are left out.
public enum RuuviDecoder {
    /// Ruuvi Innovations' company id.
    public static let company: UInt16 = 0x0499

    /// Decodes `payload` (after the company id); nil unless it is format 5 of the right length.
    public static func decode(_ p: ArraySlice<UInt8>) -> SensorReading? {
        guard p.count == 24, p.byte(0) == 5 else { return nil }
        var values: [SensorMeasurement] = []
        values.reserveCapacity(10)
        let temperature = p.signedBE16(1)
        if temperature != Int16.min { values.append(SensorMeasurement(.temperature, raw: Int64(temperature), divisor: 200)) }
        let humidity = p.unsignedBE16(3)
        if humidity != 0xFFFF { values.append(SensorMeasurement(.humidity, raw: Int64(humidity), divisor: 400)) }
        let pressure = p.unsignedBE16(5)
        // Pa + 50000 on air; published in hPa like the other formats.
        if pressure != 0xFFFF { values.append(SensorMeasurement(.pressure, raw: Int64(pressure) + 50_000, divisor: 100)) }
        let axes: [MeasurementKind] = [.accelerationX, .accelerationY, .accelerationZ]
        for (index, kind) in axes.enumerated() {
            let value = p.signedBE16(7 + 2 * index)
            if value != Int16.min { values.append(SensorMeasurement(kind, Double(value))) }
        }
        let power = p.unsignedBE16(13)
        if power >> 5 != 0x7FF { values.append(SensorMeasurement(.voltage, raw: Int64(power >> 5) + 1600, divisor: 1000)) }
        if power & 0x1F != 0x1F { values.append(SensorMeasurement(.txPower, Double(-40 + 2 * Int(power & 0x1F)))) }
        let movement = p.byte(15)
        if movement != 0xFF { values.append(SensorMeasurement(.movementCounter, Double(movement))) }
        let sequence = p.unsignedBE16(16)
        if sequence != 0xFFFF { values.append(SensorMeasurement(.sequence, Double(sequence))) }
        return SensorReading(format: .ruuvi5, measurements: values)
    }
}
