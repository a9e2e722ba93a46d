@testable import Skoda
import Testing

@Suite("Skoda discovery classes")
struct SkodaDiscoveryClassTests {
    @Test("the state of charge is a battery measurement, times left are durations, text has no state class")
    func classes() {
        let soc = SkodaValueInfo.info(for: "soc")
        #expect(soc.deviceClass == "battery" && soc.quantity == .measured)
        let left = SkodaValueInfo.info(for: "climatisation_minutes_to_finish")
        #expect(left.deviceClass == "duration" && left.unit == "min" && left.quantity == .measured)
        #expect(SkodaValueInfo.info(for: "charging_error").quantity == .text)
        #expect(SkodaValueInfo.info(for: "charging_state").quantity == .text)
        #expect(SkodaValueInfo.info(for: "something_new").quantity == .text)
    }
}
