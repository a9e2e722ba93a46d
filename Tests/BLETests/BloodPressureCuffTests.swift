@testable import BLE
import Foundation
import JSON
import Runtime
import ServiceKit
import ServiceTestSupport
import TestSupport
import Testing

/// A blood-pressure cuff end to end: heard over a simulated HCI controller (tools/hci-sim.py),
/// approved and registered with the backend (tools/iot-api-sim.py), bonded over a simulated
/// kernel mgmt channel (tools/mgmt-sim.py), then read over GATT from a device speaking real
/// ATT PDUs; what comes out on a real broker and at the backend is checked.
@Suite("Blood-pressure cuff: bond, GATT, MQTT and the backend", .serialized)
struct BloodPressureCuffTests {
    static let cuffAddress = "F4:5E:AB:00:00:01"
    /// Flags, and the complete name `A&D_UA-651BLE_1234` (a supported cuff).
    static let cuffAdvert = "02010613094126445f55412d363531424c455f31323334"

    @Test("approve registers it, it is bonded and connected, its clock set, a reading reaches MQTT and the backend once even across a dropped link")
    func cuffEndToEnd() throws {
        let hci = try HCISimulator()
        let mgmt = try MgmtSimulator(delay: 0.2)
        let api = try IoTAPISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": hci.path, "ble.mgmt_socket": mgmt.path, "ble.publish_interval_s": "0",
            "ble.scan_s": "1", "iot.url": api.url, "iot.submit_s": "1", "iot.token": "t0ken",
        ], connect: false, mqtt: { $0.keepaliveSeconds = 10 })
        let compact = BloodPressureCuffTests.cuffAddress.replacingOccurrences(of: ":", with: "")
        let observer = try rig.observe(["switchyard/test/ble/\(compact)/#", "homeassistant/sensor/#"])
        let loop = rig.loop
        let cuff = GATTPeripheralSimulator(.bloodPressureCuff, loop: loop)
        cuff.clockOffset = -3600
        let now = Int64(Date().timeIntervalSince1970)
        cuff.stored = [cuff.bloodPressure(systolic: 121, diastolic: 80, mean: 95, pulse: 72, at: now - 30)]
        var encryptedConnects: [Bool] = []
        var refusals = 2
        let settings = try BLESettings(store: rig.store)
        // Built by hand to hand it the simulated cuff's end of each ATT link; the first two
        // connects fail (out of range), the third gets through.
        let service = BLEService(settings: settings, context: rig.context(), openATT: { _, _, encrypted throws(BLEError) in
            encryptedConnects.append(encrypted)
            if refusals > 0 {
                refusals -= 1
                throw .system(.system(call: "connect(L2CAP ATT)", errno: Errno(EHOSTUNREACH)))
            }
            do { return try cuff.connect() } catch { throw .serial("socketpair") }
        }) { settings throws(BLEError) in try HCITransport.open(adapter: settings.adapter, baud: settings.uartBaud) }
        rig.client.start()
        try service.start()
        defer { service.stop() }
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })
        hci.send("advert \(BloodPressureCuffTests.cuffAdvert) \(BloodPressureCuffTests.cuffAddress) -60")
        let address = try #require(BLEAddress(BloodPressureCuffTests.cuffAddress))
        #expect(loop.run(timeout: 5) { service.registry[address]?.name == "A&D_UA-651BLE_1234" })
        // Not approved: no bonding, no connection.
        #expect(service.gattLinks.isEmpty && encryptedConnects.isEmpty)

        // Approval registers it: unknown to the backend, so created; the returned id is kept.
        #expect(service.approve(address, iotDeviceID: nil) == nil)
        #expect(loop.run(timeout: 5) { service.settings.approved[address]?.isEmpty == false })
        let id = try #require(service.settings.approved[address])
        #expect(api.records.contains("EXISTS \(BloodPressureCuffTests.cuffAddress) -"))
        #expect(api.created.map(\.mac) == [BloodPressureCuffTests.cuffAddress] && api.created.first?.id == id)
        let create = try #require(api.records.first { $0.hasPrefix("CREATE ") })
        #expect(create.contains("\"connectionType\":\"bluetooth_le\"") && create.contains("\"model\":\"generic\""))

        // Bonded first (mgmt Pair Device), then connected encrypted after two failed connects.
        hci.send("advert \(BloodPressureCuffTests.cuffAdvert) \(BloodPressureCuffTests.cuffAddress) -60")
        #expect(loop.run(timeout: 10) { service.gattLinks[address]?.isConnected == true }, "\(service.gattJSON)")
        #expect(mgmt.records.contains { $0.hasPrefix("PAIR \(BloodPressureCuffTests.cuffAddress) ") }, "\(mgmt.records)")
        #expect(encryptedConnects == [true, true, true])
        // Its clock was an hour behind: set.
        #expect(cuff.clockWrites.count == 1 && abs(cuff.clockOffset) <= 2)
        #expect(service.gattLinks[address]?.clockSets == 1)

        // The stored reading: on MQTT with Home Assistant discovery, and at the backend.
        let topic = "switchyard/test/ble/\(compact)/blood_pressure"
        #expect(loop.run(timeout: 5) { BLETestSupport.last(observer, topic) != nil })
        let published = try #require(BLETestSupport.last(observer, topic))
        #expect(published["systolic"]?.doubleValue == 121 && published["diastolic"]?.doubleValue == 80)
        #expect(published["pulse"]?.doubleValue == 72 && published["unit"]?.stringValue == "mmHg")
        #expect(published["timestamp"]?.intValue == Int(now - 30))
        let configTopic = "homeassistant/sensor/switchyard_test_ble_\(compact.lowercased())_systolic/config"
        #expect(loop.run(timeout: 5) { BLETestSupport.last(observer, configTopic) != nil })
        #expect(BLETestSupport.last(observer, configTopic)?["unit_of_measurement"]?.stringValue == "mmHg")
        #expect(BLETestSupport.last(observer, configTopic)?["state_topic"]?.stringValue == topic)

        func pressures() -> [(id: String, entry: [String: Any])] {
            api.acceptedSamples.filter { $0.type == "blood_pressure" }.map { ($0.id, $0.entry) }
        }
        #expect(loop.run(timeout: 8) { pressures().count == 1 }, "\(api.records)")
        let first = try #require(pressures().first)
        #expect(first.id == id)
        #expect((first.entry["data"] as? [String: Double]) == ["sys": 121, "dias": 80])
        #expect(first.entry["timestamp"] as? Int == Int(now - 30))
        #expect(api.acceptedSamples.contains { $0.type == "heart_rate" && ($0.entry["data"] as? [String: Double]) == ["rate": 72] })
        #expect(api.acceptedSamples.contains { $0.type == "battery_level" && ($0.entry["data"] as? [String: Double]) == ["level": 77] })

        // A new reading, and the cuff drops the link right after indicating it: the link comes
        // back, the cuff sends the unconfirmed reading again, the backend gets it once.
        cuff.dropMidMeasurement = true
        cuff.measure(cuff.bloodPressure(systolic: 140, diastolic: 90, mean: 107, pulse: 80, at: now - 10))
        #expect(loop.run(timeout: 10) { cuff.connections == 2 && cuff.confirmations == 2 }, "\(service.gattJSON)")
        #expect(loop.run(timeout: 8) { pressures().count == 2 })
        #expect(service.stats.bloodPressureRepeats == 1)
        loop.run(timeout: 1.5) { pressures().count > 2 }
        #expect(pressures().map { ($0.entry["data"] as? [String: Double])?["sys"] } == [121, 140])
        #expect(!api.records.contains { $0.hasPrefix("XHEADER") })

        // Removed: the link closes and the blood-pressure entities are withdrawn (empty config).
        #expect(service.remove(address) == nil)
        #expect(loop.run(timeout: 5) { service.gattLinks.isEmpty })
        // mosquitto_sub -v prints an empty payload as "(null)".
        #expect(loop.run(timeout: 5) { observer.lines.last { $0.hasPrefix(configTopic) }?.contains("{") == false },
                "\(observer.lines.filter { $0.hasPrefix(configTopic) })")
    }

    @Test("backend down at approval: kept approved without an id, registered later under the id it already knew; a restart skips what it has")
    func registrationLaterAndSkip() throws {
        let hci = try HCISimulator()
        let api = try IoTAPISimulator()
        let known = "0b6f2c1e-5d2a-4c1b-9a43-3f7e2d1c0a99"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bcms-reg-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = ["ble.enabled": "true", "ble.adapter": hci.path, "ble.publish_interval_s": "0",
                        "iot.url": api.url, "iot.submit_s": "1", "iot.timeout_s": "2"]
        api.command("fail exists 503")
        api.command("known A4:C1:38:00:00:01 \(known)")
        let address = try #require(BLEAddress("A4:C1:38:00:00:01"))
        do {
            let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: settings, broker: false, dataDirectory: directory)
            rig.start()
            let service = try rig.service(as: BLEService.self)
            #expect(rig.run(timeout: 5) { service.scanner?.state == .scanning })
            let reply = BLETestSupport.bcms(rig.commands, ["approve", "--address", "A4:C1:38:00:00:01"])
            #expect(reply.output.json["status"]?.boolValue == true)
            #expect(rig.run(timeout: 5) { service.registration?.failures ?? 0 >= 1 })
            #expect(service.settings.approved[address] == "")
            // Nothing is sent for a device without an id: its samples wait for one.
            hci.send("sensors")
            #expect(rig.run(timeout: 5) { service.registry[address] != nil && service.awaitingID.count > 0 })
            #expect(service.iot?.cache.isEmpty == true)
            let held = service.awaitingID.count
            #expect(service.stateJSON()["iot_awaiting_id"]?["held"]?.intValue == held)
            // The backend is back: the next round asks again and keeps the id it knew, and
            // what waited goes out under it (no new advert needed).
            api.command("fail exists ok")
            #expect(rig.run(timeout: 5) { service.settings.approved[address] == known })
            #expect(api.created.isEmpty)
            #expect(service.awaitingID.count == 0)
            #expect(rig.run(timeout: 8) { api.acceptedSamples.filter { $0.id == known }.count >= held }, "\(api.records)")
            #expect(!api.acceptedSamples.contains { ($0.id as String).isEmpty })
            rig.stop()
        }
        // After a restart, the backend says it has everything up to far in the future: the
        // device's samples up to then are skipped, and nothing is sent for it.
        let delivered = api.acceptedSamples.count
        api.command("last \(known) \(Int(Date().timeIntervalSince1970) + 3600)")
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: settings, broker: false, dataDirectory: directory)
        rig.start()
        let service = try rig.service(as: BLEService.self)
        #expect(service.settings.approved[address] == known, "the id survives the restart")
        #expect(rig.run(timeout: 5) { service.scanner?.state == .scanning })
        hci.send("sensors")
        #expect(rig.run(timeout: 8) { (service.iot?.cache.skipped ?? 0) >= 2 })
        #expect(api.records.contains { $0.hasPrefix("LAST \(known) ") })
        #expect(api.acceptedSamples.count == delivered)
        rig.stop()
    }

    @Test("passive: the original's service data UUIDs of an approved device reach the backend as its raw values")
    func passiveServiceData() throws {
        let hci = try HCISimulator()
        let api = try IoTAPISimulator()
        let id = "5f0c3a7e-1b2d-4e6f-8a9b-0c1d2e3f4a5b"
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": hci.path, "ble.publish_interval_s": "0",
            "ble.approved": "C0:11:22:33:44:55=\(id)", "iot.url": api.url, "iot.submit_s": "1",
        ], broker: false)
        rig.start()
        let service = try rig.service(as: BLEService.self)
        #expect(rig.run(timeout: 5) { service.scanner?.state == .scanning })
        // 0x2A6E temperature -500 (signed), 0x180F battery 90, 0x2A46 alert "fall"; and a
        // 0x2A6D with nine bytes, which is no value.
        hci.send("advert 05166E2A0CFE04160F185A0716462A66616C6C C0:11:22:33:44:55 -50")
        hci.send("advert 0C166D2A010203040506070809 C0:11:22:33:44:55 -50")
        #expect(rig.run(timeout: 8) { api.acceptedSamples.count >= 3 }, "\(api.records)")
        let byType = Dictionary(api.acceptedSamples.map { ($0.type, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byType["temperature"]?.id == id)
        #expect((byType["temperature"]?.entry["data"] as? [String: Int]) == ["level": -500])
        #expect((byType["battery_level"]?.entry["data"] as? [String: Int]) == ["level": 90])
        #expect((byType["alert"]?.entry["data"] as? [String: String]) == ["id": "fall"])
        #expect(byType["pressure"] == nil)
        #expect(service.stats.passiveDropped >= 1)
        rig.stop()
    }

    @Test("a create that fails or answers without an id leaves the device approved and unregistered until it works")
    func createFailures() throws {
        let hci = try HCISimulator()
        let api = try IoTAPISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": hci.path, "iot.url": api.url, "iot.submit_s": "1",
        ], broker: false)
        rig.start()
        let service = try rig.service(as: BLEService.self)
        let registration = try #require(service.registration)
        let address = try #require(BLEAddress("D0:00:00:00:00:0D"))
        api.command("fail create 500")
        #expect(service.approve(address, iotDeviceID: nil) == nil)
        #expect(rig.run(timeout: 5) { registration.lastError == "HTTP 500" })
        #expect(service.settings.approved[address] == "")
        // Created, but the answer has no id: still unregistered here.
        api.command("fail create noid")
        #expect(rig.run(timeout: 5) { registration.lastError == "an answer without a device id" })
        #expect(service.settings.approved[address] == "")
        // The next round's exists finds what the backend created, and keeps its id.
        api.command("fail create ok")
        #expect(rig.run(timeout: 5) { service.settings.approved[address]?.isEmpty == false })
        #expect(api.created.count == 1 && api.created.last?.id == service.settings.approved[address])
        #expect(api.records.contains("EXISTS D0:00:00:00:00:0D \(api.created.last?.id ?? "?")"))
        rig.stop()
    }

    @Test("the original's cuffs by name")
    func cuffNames() {
        #expect(BloodPressureCuff.matches("A&D_UA-651BLE_D57B3F"))
        #expect(BloodPressureCuff.matches("BLESmart_0000021F005FBF"))
        #expect(BloodPressureCuff.matches("X4 Smart"))
        #expect(!BloodPressureCuff.matches("UA-651BLE") && !BloodPressureCuff.matches(nil) && !BloodPressureCuff.matches("blesmart_1"))
    }

    @Test("three quick reconnects, then the backoff")
    func reconnectPolicy() {
        let link = GATTLink(address: BLEAddress(rawValue: 1), now: Instant(nanoseconds: 0))
        let delays = (0..<5).map { _ in link.delayAfterFailure().milliseconds }
        #expect(delays == [1000, 1000, 1000, 30_000, 60_000])
        link.succeeded()
        #expect(link.delayAfterFailure().milliseconds == 1000)
    }
}
