@testable import BLE
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import TestSupport
import ServiceTestSupport
import Testing

/// Samples of approved devices to a local IoT API through the HTTP client in the run loop.
@Suite("IoT submission to a local API", .serialized)
struct IoTSubmissionTests {
    @Test("the seed's body with the bearer token; 500 and a hung server lose nothing; the cache clear drops removed devices")
    func submitsAndRetries() throws {
        let sim = try HCISimulator()
        let api = try IoTAPISimulator()
        let id = "cd553938-8960-4e70-864a-a7fba06578c0"
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0",
            "ble.approved": "A4:C1:38:00:00:01=\(id)", "ble.watchdog_windows": "100",
            "iot.url": api.url, "iot.submit_s": "1", "iot.token": "t0ken", "iot.timeout_s": "1",
            "iot.cache_clear_s": "3600", "iot.application_identifier": "app.example", "iot.username": "alice",
        ], broker: false)
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        #expect(loop.run(timeout: 5) { service.scanner?.state == .scanning })
        let iot = try #require(service.iot)

        sim.send("sensors")
        #expect(loop.run(timeout: 8) { !api.accepted.isEmpty }, "\(api.records)")
        let first = try #require(api.accepted.first)
        let groups = try #require(first["data"] as? [[String: Any]])
        // Only the approved BTHome sensor is submitted: temperature and humidity in the backend's
        // model ({level}, GATT units: 0.01 °C and 0.01 %), numbers, at the submit path.
        #expect(Set(groups.map { $0["dataType"] as? String ?? "" }) == ["temperature", "humidity"])
        #expect(groups.allSatisfy { $0["iotDeviceId"] as? String == id })
        let entry = try #require((groups.first { $0["dataType"] as? String == "temperature" }?["data"] as? [[String: Any]])?.first)
        #expect((entry["data"] as? [String: Double]) == ["level": 2500])
        let humidity = try #require((groups.first { $0["dataType"] as? String == "humidity" }?["data"] as? [[String: Any]])?.first)
        #expect((humidity["data"] as? [String: Double]) == ["level": 5055])
        let stamp = try #require(entry["timestamp"] as? Int)
        #expect(abs(stamp - Int(Date().timeIntervalSince1970)) < 60)
        #expect(api.authorizations.first == "Bearer_t0ken")
        #expect(api.records.contains { $0.hasPrefix("POST /app/api/iot-devices/data/submit ") })
        // Before the device's first batch: its last data submission (unknown to the backend: 404).
        #expect(api.records.contains("LAST \(id) 404"))
        // The original sends no X-Application-Identifier or X-Username: neither do we.
        #expect(!api.records.contains { $0.hasPrefix("XHEADER") })
        #expect(!(service.stateJSON()["iot"]?.serialized().contains("t0ken") ?? true), "the token is never in state")

        // 500: the samples stay and go out once the server is back.
        api.mode("500")
        loop.run(timeout: 0.2) { false }
        sim.send("sensors")
        #expect(loop.run(timeout: 8) { iot.failures >= 1 && iot.cache.count >= 2 })
        #expect(iot.lastStatus == 500)
        sim.send("sensors")
        // Hung: the request times out, the samples stay.
        api.mode("hang")
        #expect(loop.run(timeout: 15) { api.records.contains("HUNG") && iot.lastError?.contains("timed out") == true
                || iot.lastError?.lowercased().contains("timeout") == true }, "\(String(describing: iot.lastError))")
        api.mode("ok")
        #expect(loop.run(timeout: 15) { iot.cache.isEmpty && !iot.isSubmitting })
        // Nothing lost: every sample collected was accepted exactly once (2 per sensors burst).
        let samples = api.acceptedSamples
        #expect(samples.count == iot.cache.submitted)
        #expect(samples.count == 6, "\(samples.count) samples accepted")
        #expect(iot.cache.dropped == 0)

        // The cache clear drops samples of a device no longer approved.
        api.mode("500")
        loop.run(timeout: 0.2) { false }
        sim.send("sensors")
        #expect(loop.run(timeout: 5) { iot.cache.count >= 2 })
        #expect(service.remove(BLEAddress("A4:C1:38:00:00:01")!) == nil)
        service.clearCache()
        #expect(iot.cache.count == iot.cache.inFlight)
        #expect(iot.cache.cleared + iot.cache.inFlight >= 2)
        rig.stop()
    }
}
