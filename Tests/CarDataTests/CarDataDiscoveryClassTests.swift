@testable import CarData
import Testing

@Suite("CarData discovery classes")
struct CarDataDiscoveryClassTests {
    @Test("doors are doors, the state of charge is a battery, the odometer counts up")
    func classes() {
        #expect(CarDataRepublisher.deviceClass("vehicle.cabin.door.row1.driver.isOpen", isBoolean: true, unit: nil) == "door")
        #expect(CarDataRepublisher.deviceClass("vehicle.cabin.window.row1.driver.isOpen", isBoolean: true, unit: nil) == nil)
        #expect(CarDataRepublisher.deviceClass("vehicle.drivetrain.batteryManagement.header", isBoolean: false, unit: "%") == "battery")
        #expect(CarDataRepublisher.deviceClass("vehicle.drivetrain.electricEngine.charging.level", isBoolean: false, unit: "%") == "battery")
        #expect(CarDataRepublisher.deviceClass("vehicle.drivetrain.batteryManagement.header", isBoolean: false, unit: "kWh") == nil)
        #expect(CarDataRepublisher.quantity("vehicle.vehicle.travelledDistance") == .counted)
        #expect(CarDataRepublisher.quantity("vehicle.drivetrain.batteryManagement.header") == .measured)
    }
}
