@testable import Skoda
import Testing

@Suite("Skoda discovery classes")
struct SkodaDiscoveryClassTests {
    @Test("the state of charge is a battery measurement, the odometer counts up, text has no state class")
    func classes() {
        let soc = SkodaValueInfo.info(for: "soc")
        #expect(soc.deviceClass == "battery" && soc.quantity == .measured)
        #expect(SkodaValueInfo.info(for: "odometer_km").quantity == .counted)
        #expect(SkodaValueInfo.info(for: "charging_state").quantity == .text)
        #expect(SkodaValueInfo.info(for: "something_new").quantity == .text)
    }
}
