@testable import BLE
import Foundation
import JSON
import Testing

@Suite("IoT submission body and sample cache")
struct IoTPayloadTests {
    private func sample(_ id: String, _ type: String, _ at: Int64, _ key: String, _ value: Double) -> IoTSample {
        IoTSample(iotDeviceID: id, dataType: type, timestamp: at, fields: [(key, .number(value))])
    }

    @Test("the body is the seed's example, grouped per device and data type, with numbers as the original sends them")
    func seedShape() throws {
        let id = "cd553938-8960-4e70-864a-a7fba06578c0"
        let body = IoTPayload.json([
            sample(id, "heart_rate", 1642694304, "rate", 67),
            sample(id, "battery_level", 1642694364, "level", 22),
            sample(id, "heart_rate", 1642694364, "rate", 66),
        ]).serialized()
        // The seed's example without whitespace, values and timestamps as numbers.
        let seed = """
        {"data":[{"iotDeviceId":"cd553938-8960-4e70-864a-a7fba06578c0","dataType":"heart_rate","data":[\
        {"timestamp":1642694304,"data":{"rate":67}},{"timestamp":1642694364,"data":{"rate":66}}]},\
        {"iotDeviceId":"cd553938-8960-4e70-864a-a7fba06578c0","dataType":"battery_level","data":[\
        {"timestamp":1642694364,"data":{"level":22}}]}]}
        """
        #expect(body == seed)
    }

    @Test("our quantities map onto the backend's types and keys, a repeated quantity's _N suffix dropped")
    func dataModel() {
        func mapped(_ name: String, _ value: Double) -> String? {
            IoTDataModel.sample(quantity: name, value: value, iotDeviceID: "d", timestamp: 1).map { sample in
                sample.dataType + " " + sample.fields.map { $0.key + "=" + $0.value.serialized() }.joined()
            }
        }
        #expect(mapped("heart_rate", 67) == "heart_rate rate=67")
        #expect(mapped("battery", 22) == "battery_level level=22")
        // GATT units: 0.01 °C, 0.01 %, 0.1 Pa.
        #expect(mapped("temperature", 24.3) == "temperature level=2430")
        #expect(mapped("temperature_2", -5.12) == "temperature level=-512")
        #expect(mapped("humidity", 50.55) == "humidity level=5055")
        #expect(mapped("humidity_3", 53.49) == "humidity level=5349")
        #expect(mapped("pressure", 1000.44) == "pressure level=1000440")
        #expect(mapped("voltage", 2.977) == "voltage level=2.977")
        #expect(mapped("co2", 415) == "co2 level=415")
        // A quantity the original has no type for goes under its own name, repeats folded.
        #expect(mapped("pm25", 12) == "pm25 level=12")
        #expect(mapped("dew_point_2", 3.5) == "dew_point level=3.5")
        #expect(mapped("packet_id", 3) == nil)
        #expect(mapped("button", 1) == nil)
        #expect(mapped("firmware_version", 1) == nil)
        #expect(mapped("acceleration_x", 3) == nil)
        #expect(mapped("temperature", .nan) == nil)
        #expect(mapped("temperature", .infinity) == nil)
        #expect(IoTDataModel.baseName("rr_interval") == "rr_interval")
        #expect(IoTDataModel.baseName("temperature_") == "temperature_")
    }

    @Test("cache: drop-oldest when full and counted; in-flight samples leave only on acknowledge")
    func cachePolicy() {
        var cache = IoTSampleCache(capacity: 3)
        for at in 1...4 { cache.append(sample("a", "t", Int64(at), "v", 1)) }
        #expect(cache.count == 3 && cache.dropped == 1)
        let batch = cache.takeBatch(limit: 2)
        #expect(batch.map(\.timestamp) == [2, 3])
        #expect(cache.takeBatch(limit: 2).isEmpty, "one submission at a time")
        // Failure: nothing lost, the same samples go first next time.
        cache.release()
        #expect(cache.takeBatch(limit: 10).map(\.timestamp) == [2, 3, 4])
        // While in flight, a full cache drops from what is not in flight, or the new one.
        cache.append(sample("a", "t", 5, "v", 1))
        #expect(cache.count == 3 && cache.dropped == 2)
        cache.acknowledge()
        #expect(cache.isEmpty && cache.submitted == 3)
    }

    @Test("cache clear drops samples of devices no longer approved, never those in flight")
    func cacheClear() {
        var cache = IoTSampleCache(capacity: 10)
        cache.append(sample("gone", "t", 1, "v", 1))
        cache.append(sample("kept", "t", 2, "v", 1))
        _ = cache.takeBatch(limit: 1)
        cache.append(sample("gone", "t", 3, "v", 1))
        cache.clear { $0 == "kept" }
        #expect(cache.count == 2 && cache.cleared == 1)
        cache.acknowledge()
        #expect(cache.takeBatch(limit: 10).map(\.iotDeviceID) == ["kept"])
    }
}
