import JSON
import Runtime
import ServiceKit
import ServiceTestSupport
import TestSupport
import Testing
@testable import BLE

/// `bcms list` as the original answers it: approved devices always, the others only while
/// heard in the last 60 s.
@Suite("bcms list: approved always, others heard in the last 60 s")
struct BCMSListTests {
    @Test func unapprovedDevicesLeaveTheListAfterSixtySeconds() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path,
        ], broker: false)
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        #expect(loop.run(timeout: 5) { service.scanner?.state == .scanning })
        sim.send("sensors")
        #expect(loop.run(timeout: 5) { service.registry.count >= 5 })
        sim.send("silent")
        let approved = try #require(BLEAddress("A4:C1:38:00:00:01"))
        #expect(BLETestSupport.bcms(rig.commands, ["approve", "--address", approved.text]).ok)
        func listed() -> [String] {
            let reply = BLETestSupport.bcms(rig.commands, ["list"], origin: .rpc).output.json
            return (reply["devices"]?.arrayValue ?? []).compactMap { $0["address"]?.stringValue }
        }
        let heard = service.registry.sorted.map { $0.address.text }
        #expect(Set(listed()) == Set(heard))
        // Every device last heard 61 s ago (the simulator is silent meanwhile): only the
        // approved one is left, though the registry still holds them all.
        let longAgo = loop.clock.now() - Interval.seconds(61)
        for device in service.registry.sorted { device.lastSeen = longAgo }
        #expect(listed() == [approved.text])
        #expect(service.registry.count == heard.count)
        // Heard again within the minute: listed again.
        let other = try #require(service.registry.sorted.first { $0.address != approved })
        other.lastSeen = loop.clock.now() - Interval.seconds(59)
        #expect(Set(listed()) == [approved.text, other.address.text])
    }
}
