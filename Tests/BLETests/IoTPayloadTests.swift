import BLE
import Foundation
import JSON
import Testing

@Suite("IoT submission body and sample cache")
struct IoTPayloadTests {
    private func sample(_ id: String, _ type: String, _ at: Int64, _ key: String, _ value: String) -> IoTSample {
        IoTSample(iotDeviceID: id, dataType: type, timestamp: at, fields: [(key, value)])
    }

    @Test("the body is exactly the seed's example, grouped per device and data type")
    func seedShape() throws {
        let id = "cd553938-8960-4e70-864a-a7fba06578c0"
        let body = IoTPayload.json([
            sample(id, "heart_rate", 1642694304, "rate", "67"),
            sample(id, "battery_level", 1642694364, "level", "22"),
            sample(id, "heart_rate", 1642694364, "rate", "66"),
        ]).serialized()
        // The seed's example, with its whitespace removed.
        let seed = """
        {"data":[{"iotDeviceId":"cd553938-8960-4e70-864a-a7fba06578c0","dataType":"heart_rate","data":[\
        {"timestamp":"1642694304","data":{"rate":"67"}},{"timestamp":"1642694364","data":{"rate":"66"}}]},\
        {"iotDeviceId":"cd553938-8960-4e70-864a-a7fba06578c0","dataType":"battery_level","data":[\
        {"timestamp":"1642694364","data":{"level":"22"}}]}]}
        """
        #expect(body == seed)
    }

    @Test("values print as the seed's strings: integers bare, fractions shortest")
    func valueText() {
        #expect(IoTPayload.text(67) == "67")
        #expect(IoTPayload.text(50.55) == "50.55")
        #expect(IoTPayload.text(-5.12) == "-5.12")
        #expect(IoTSample.dataType(for: .heartRate)! == ("heart_rate", "rate"))
        #expect(IoTSample.dataType(for: .battery)! == ("battery_level", "level"))
        #expect(IoTSample.dataType(for: .packetID) == nil)
    }

    @Test("cache: drop-oldest when full and counted; in-flight samples leave only on acknowledge")
    func cachePolicy() {
        var cache = IoTSampleCache(capacity: 3)
        for at in 1...4 { cache.append(sample("a", "t", Int64(at), "v", "1")) }
        #expect(cache.count == 3 && cache.dropped == 1)
        let batch = cache.takeBatch(limit: 2)
        #expect(batch.map(\.timestamp) == [2, 3])
        #expect(cache.takeBatch(limit: 2).isEmpty, "one submission at a time")
        // Failure: nothing lost, the same samples go first next time.
        cache.release()
        #expect(cache.takeBatch(limit: 10).map(\.timestamp) == [2, 3, 4])
        // While in flight, a full cache drops from what is not in flight, or the new one.
        cache.append(sample("a", "t", 5, "v", "1"))
        #expect(cache.count == 3 && cache.dropped == 2)
        cache.acknowledge()
        #expect(cache.isEmpty && cache.submitted == 3)
    }

    @Test("cache clear drops samples of devices no longer approved, never those in flight")
    func cacheClear() {
        var cache = IoTSampleCache(capacity: 10)
        cache.append(sample("gone", "t", 1, "v", "1"))
        cache.append(sample("kept", "t", 2, "v", "1"))
        _ = cache.takeBatch(limit: 1)
        cache.append(sample("gone", "t", 3, "v", "1"))
        cache.clear { $0 == "kept" }
        #expect(cache.count == 2 && cache.cleared == 1)
        cache.acknowledge()
        #expect(cache.takeBatch(limit: 10).map(\.iotDeviceID) == ["kept"])
    }
}
