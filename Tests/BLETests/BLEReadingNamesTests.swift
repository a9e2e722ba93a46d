@testable import BLE
import Foundation
import JSON
import ServiceTestSupport
import TestSupport
import Testing

/// Repeated quantities, packet ids, unknown objects and bindkeys through the whole service:
/// HCI UART controller simulator in, real broker out.
@Suite("BLE readings: stable names for repeats, packet-id de-duplication, units in discovery", .serialized)
struct BLEReadingNamesTests {
    /// Packet id 5, temperatures 25.06 and 27.5, energy 10 kWh, door open.
    static let repeatsAD = "0201061216d2fc40000502ca0902be0a0a1027001a01"

    @Test("repeats publish as temperature, temperature_2; the same packet twice is published once; discovery has units and classes")
    func repeatsAndDuplicates() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0",
            "ble.approved": "A4:C1:38:00:00:07=cd553938-8960-4e70-864a-a7fba06578c0",
        ], connect: false, mqtt: { $0.keepaliveSeconds = 10 })
        let observer = try rig.observe(["switchyard/test/ble/#", "homeassistant/#"])
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        rig.client.start()
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })

        let topic = "switchyard/test/ble/A4C138000007"
        sim.send("advert \(BLEReadingNamesTests.repeatsAD) A4:C1:38:00:00:07 -60")
        #expect(loop.run(timeout: 5) { BLETestSupport.last(observer, topic) != nil })
        let line = try #require(observer.lines.last { $0.hasPrefix(topic + " ") })
        // One key per value: no duplicate "temperature" for parsers that keep only the last.
        #expect(line.components(separatedBy: "\"temperature\":").count == 2)
        let reading = try #require(BLETestSupport.last(observer, topic))
        #expect(reading["temperature"]?.doubleValue == 25.06)
        #expect(reading["temperature_2"]?.doubleValue == 27.5)
        #expect(reading["energy"]?.doubleValue == 10)
        #expect(reading["door"]?.doubleValue == 1)
        #expect(reading["packet_id"]?.doubleValue == 5)

        // Sensors send each packet several times: the repeat is counted, not published.
        let published = service.stats.published
        sim.send("advert \(BLEReadingNamesTests.repeatsAD) A4:C1:38:00:00:07 -61")
        #expect(loop.run(timeout: 5) { service.stats.duplicatePackets == 1 })
        #expect(service.stats.published == published)

        let second = "homeassistant/sensor/switchyard_test_ble_a4c138000007_temperature_2/config"
        #expect(loop.run(timeout: 5) { observer.lines.contains { $0.hasPrefix(second + " ") } })
        let config = try #require(BLETestSupport.last(observer, second))
        #expect(config["unit_of_measurement"]?.stringValue == "°C")
        #expect(config["device_class"]?.stringValue == "temperature")
        #expect(config["state_class"]?.stringValue == "measurement")
        #expect(config["value_template"]?.stringValue == "{{ value_json.temperature_2 }}")
        let energy = try #require(BLETestSupport.last(observer, "homeassistant/sensor/switchyard_test_ble_a4c138000007_energy/config"))
        #expect(energy["unit_of_measurement"]?.stringValue == "kWh")
        #expect(energy["state_class"]?.stringValue == "total_increasing")
        let door = try #require(BLETestSupport.last(observer, "homeassistant/binary_sensor/switchyard_test_ble_a4c138000007_door/config"))
        #expect(door["device_class"]?.stringValue == "door")

        // A new packet id with an unknown object after the known ones: what came before is
        // published, the rest as hex, and counted.
        sim.send("advert 0201060a16d2fc4000060157ff01 A4:C1:38:00:00:07 -60")
        #expect(loop.run(timeout: 5) { BLETestSupport.last(observer, topic)?["undecoded"] != nil })
        let partial = try #require(BLETestSupport.last(observer, topic))
        #expect(partial["battery"]?.doubleValue == 87)
        #expect(partial["undecoded"]?.stringValue == "ff01")
        #expect(service.stats.undecodedObjects == 1)
        rig.stop()
    }

    @Test("an encrypted MiBeacon decodes with the device's bindkey from ble.bindkeys, and not without")
    func miBeaconBindkey() throws {
        let advert = try #require(try BLECorpus.load().first { $0.label == "mibeacon encrypted lywsd03mmc temperature" })
        let hex = advert.data.map { String(format: "%02x", $0) }.joined()
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0",
            "ble.bindkeys": advert.address.text + "=231d39c1d7cc1ab1aee224cd096db932",
        ], connect: false, mqtt: { $0.keepaliveSeconds = 10 })
        let observer = try rig.observe(["switchyard/test/ble/#"])
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        rig.client.start()
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })
        sim.send("advert \(hex) \(advert.address.text) -60")
        let topic = "switchyard/test/ble/" + advert.address.compact
        #expect(loop.run(timeout: 5) { BLETestSupport.last(observer, topic)?["temperature"] != nil })
        #expect(BLETestSupport.last(observer, topic)?["format"]?.stringValue == "mibeacon_encrypted")
        #expect(BLETestSupport.last(observer, topic)?["temperature"]?.doubleValue == 23.2)
        // The same frame again is a replay of its counter.
        sim.send("advert \(hex) \(advert.address.text) -60")
        #expect(loop.run(timeout: 5) { service.stats.bthomeReplays == 1 })
        // Another sender has no bindkey: counted, not decoded.
        sim.send("advert \(hex) 11:22:33:44:55:66 -60")
        #expect(loop.run(timeout: 5) { service.stats.bthomeNoKey == 1 })
        // The key is a secret: the state output never shows it.
        #expect(!rig.host.stateJSON().serialized().contains("231d39c1"))
        rig.stop()
    }
}
