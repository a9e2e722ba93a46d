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
