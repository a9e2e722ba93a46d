import BLE
import Testing

@Suite("BLE discovery classes")
struct BLEDiscoveryClassTests {
    @Test("soil moisture is moisture, not humidity; doors are doors; energy is a meter in kWh")
    func deviceClasses() {
        #expect(MeasurementKind.moisture.deviceClass == "moisture")
        #expect(MeasurementKind.humidity.deviceClass == "humidity")
        #expect(MeasurementKind.door.deviceClass == "door" && MeasurementKind.door.isBinary)
        #expect(MeasurementKind.energy.deviceClass == "energy" && MeasurementKind.energy.unit == "kWh")
    }
}

@Suite("BLE quantity names")
struct BLEQuantityNameTests {
    @Test("every quantity has its own key, none ending in _<digits> (the repeat suffix), binary ones no unit")
    func keysAreUnique() {
        let keys = MeasurementKind.allCases.map(\.key)
        #expect(Set(keys).count == keys.count)
        for key in keys {
            let tail = key.split(separator: "_").last.map(String.init) ?? ""
            #expect(Int(tail) == nil, "\(key)")
        }
        for kind in MeasurementKind.allCases where kind.isBinary { #expect(kind.unit.isEmpty, "\(kind.key)") }
    }

    @Test("repeats are numbered per quantity in advert order, from _2")
    func repeatKeys() {
        let reading = SensorReading(format: .bthome, measurements: [
            SensorMeasurement(.temperature, 1), SensorMeasurement(.button, 1), SensorMeasurement(.temperature, 2),
            SensorMeasurement(.button, 2), SensorMeasurement(.humidity, 3), SensorMeasurement(.temperature, 4),
        ])
        #expect(reading.keys == ["temperature", "button", "temperature_2", "button_2", "humidity", "temperature_3"])
        #expect(reading.value(forKey: "temperature_3")?.value == 4)
    }
}
