@testable import BLE
import JSON
import Testing

@Suite("IoT samples waiting for the backend's id")
struct IoTAwaitingIDTests {
    static func sample(_ timestamp: Int64) -> IoTSample {
        IoTSample(iotDeviceID: "", dataType: "heart_rate", timestamp: timestamp, fields: [("rate", .int(70))])
    }

    @Test("released under the id, in order, only for that device; a full hold drops the oldest and counts it")
    func holdReleaseAndBound() throws {
        let cuff = try #require(BLEAddress("F4:5E:AB:00:00:01")), strap = try #require(BLEAddress("F4:5E:AB:00:00:02"))
        var hold = IoTAwaitingID(capacity: 3)
        hold.hold(Self.sample(1), for: cuff)
        hold.hold(Self.sample(2), for: strap)
        hold.hold(Self.sample(3), for: cuff)
        hold.hold(Self.sample(4), for: cuff)
        #expect(hold.count == 3 && hold.dropped == 1)
        let released = hold.release(cuff, id: "id-1")
        #expect(released.map(\.timestamp) == [3, 4])
        #expect(released.allSatisfy { $0.iotDeviceID == "id-1" && $0.dataType == "heart_rate" })
        #expect(hold.count == 1)
        hold.forget(strap)
        #expect(hold.count == 0 && hold.release(strap, id: "id-2").isEmpty)
        #expect(hold.json["dropped"]?.intValue == 1 && hold.json["capacity"]?.intValue == 3)
    }
}
