@testable import BLE
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import ServiceTestSupport
import TestSupport
import Testing
import Uplink

/// The BLE service end to end: config in, an HCI UART controller (tools/hci-sim.py on a
/// pty) at the hardware edge, a real broker for what comes out.
@Suite("BLE service over a simulated HCI UART controller", .serialized)
struct BLEServiceTests {
    @Test("start sequence, decoded sensors published per device, encrypted BTHome with its key, unknown as hex")
    func scansAndPublishes() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0",
            "ble.bthome_keys": "54:48:E6:8F:80:A5=231d39c1d7cc1ab1aee224cd096db932",
        ], connect: false, mqtt: { $0.keepaliveSeconds = 10 })
        let observer = try rig.observe(["switchyard/test/ble/#"])
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        rig.client.start()
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })
        // A UART controller is ours alone: reset and event masks first, then the legacy scan.
        #expect(sim.commands.map { String($0.prefix(4)) } == ["0c03", "0c01", "2001", "200c", "200b", "200c"])
        #expect(sim.commands.last == "200c 0100")
        #expect(sim.records.contains("PARAMS passive"))

        sim.send("sensors")
        // The encrypted advert comes last in the burst: once it is through, every reading is.
        #expect(loop.run(timeout: 5) { BLETestSupport.last(observer, "switchyard/test/ble/5448E68F80A5") != nil })
        let bthome = try #require(BLETestSupport.last(observer, "switchyard/test/ble/A4C138000001"))
        #expect(bthome["format"]?.stringValue == "bthome_v2")
        #expect(bthome["temperature"]?.doubleValue == 25.0)
        #expect(bthome["humidity"]?.doubleValue == 50.55)
        #expect(bthome["name"]?.stringValue == "BTHome")
        #expect(bthome["rssi"]?.intValue == -60)
        let ruuvi = try #require(BLETestSupport.last(observer, "switchyard/test/ble/C27612345678"))
        #expect(ruuvi["temperature"]?.doubleValue == 24.3)
        #expect(ruuvi["addr_type"]?.stringValue == "random")
        #expect(BLETestSupport.last(observer, "switchyard/test/ble/A4C138010203")?["format"]?.stringValue == "atc1441")
        #expect(BLETestSupport.last(observer, "switchyard/test/ble/A4C138040506")?["temperature"]?.doubleValue == -5.12)
        let encrypted = try #require(BLETestSupport.last(observer, "switchyard/test/ble/5448E68F80A5"))
        #expect(encrypted["format"]?.stringValue == "bthome_v2_encrypted")
        #expect(encrypted["humidity"]?.doubleValue == 50.55)
        let phone = try #require(BLETestSupport.last(observer, "switchyard/test/ble/5A1122334455"))
        #expect(phone["manufacturer_data"]?["004c"]?.stringValue == "1005031c0b2e3f")

        // The same encrypted advert again (counter unchanged) is a replay: counted, not published.
        let encryptedAD = "1216d2fc41e44bf3c9962b33221100796a9474"
        sim.send("advert \(encryptedAD) 54:48:E6:8F:80:A5 -62")
        sim.send("advert \(encryptedAD) 54:48:E6:8F:80:A5 -62")
        #expect(loop.run(timeout: 5) { service.stats.bthomeReplays >= 1 })
        // Malformed AD (a length past the end) is counted and dropped.
        sim.send("advert 0509414243 A4:C1:38:00:00:09 -50")
        #expect(loop.run(timeout: 5) { service.stats.malformedAdverts == 1 })
        #expect(service.registry[BLEAddress("A4:C1:38:00:00:09")!] == nil)

        let state = rig.host.stateJSON()["ble"]?["state"]
        #expect(state?["scan"]?.stringValue == "scanning")
        #expect(state?["scanner"]?["reports"]?.intValue ?? 0 >= 8)
        let devices = rig.commands.execute("ble", CommandRequest(origin: .console, arguments: ["devices"]))
        #expect(devices.output.text.contains("A4:C1:38:00:00:01 public rssi -60"))
        rig.stop()
        #expect(loop.run(timeout: 3) { sim.records.contains("SCAN off") })
    }

    @Test("extended scanning: the LE extended commands only, and extended reports decode the same")
    func extendedScanning() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.extended": "true", "ble.mode": "active",
        ], broker: false)
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        #expect(loop.run(timeout: 5) { service.scanner?.state == .scanning })
        #expect(sim.commands.map { String($0.prefix(4)) } == ["0c03", "0c01", "2001", "2042", "2041", "2042"])
        #expect(sim.records.contains("PARAMS active"))
        sim.send("sensors")
        #expect(loop.run(timeout: 5) { service.registry.count >= 5 })
        let ruuvi = try #require(service.registry[BLEAddress("C2:76:12:34:56:78")!])
        #expect(ruuvi.reading?.value(.humidity) == 53.49)
        #expect(ruuvi.rssi == -70)
        #expect(service.scanner?.stats.malformedReports == 0)
        // A broken extended report (its data length runs past the event) cannot be told from
        // a truncated one: dropped as a lost packet and counted, never parsed.
        sim.send("raw 043e1a0d011300000102030405060100ff7fc000000000000000000040")
        #expect(loop.run(timeout: 5) { service.scanner?.stats.resyncs == 1 })
        #expect(service.scanner?.stats.resyncBytes == 29)
        #expect(service.scanner?.stats.malformedReports == 0)
    }

    @Test("the watchdog restarts a scan that fell silent; a controller that stops answering times out and is retried")
    func watchdogAndTimeouts() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.scan_s": "1", "ble.watchdog_windows": "2",
            "ble.command_timeout_ms": "300",
        ], broker: false)
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        #expect(loop.run(timeout: 5) { service.scanner?.state == .scanning })
        // Adverts keep coming for a while: no reset.
        for _ in 0..<3 {
            sim.send("sensors")
            loop.run(timeout: 0.7) { false }
        }
        #expect(service.scanner?.stats.watchdogResets == 0)
        // Silence: after two empty windows the watchdog resets the scan.
        sim.send("silent")
        #expect(loop.run(timeout: 8) { (service.scanner?.stats.watchdogResets ?? 0) >= 1 })
        #expect(loop.run(timeout: 3) { sim.scanEnables >= 2 })
        sim.send("loud")

        // A controller that stops answering: the command times out, health degrades, the retry follows.
        sim.send("mute")
        loop.run(timeout: 0.3) { false }
        _ = rig.commands.execute("ble", CommandRequest(origin: .console, arguments: ["restart"]))
        #expect(loop.run(timeout: 5) { (service.scanner?.stats.commandTimeouts ?? 0) >= 1 })
        if case .failed = service.scanner?.state {} else { Issue.record("state \(String(describing: service.scanner?.state))") }
        #expect(service.context.health != .ok)
        sim.send("unmute")
        #expect(loop.run(timeout: 8) { service.scanner?.state == .scanning })
        #expect(service.context.health == .ok)
    }

    @Test("bcms: approve persists a UUID, Home Assistant discovery follows, list/mode/set_mode/remove, errors for bad input")
    func deviceManager() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0",
        ], connect: false, mqtt: { $0.keepaliveSeconds = 10 })
        let observer = try rig.observe(["homeassistant/#"])
        let loop = rig.loop
        let registry = rig.commands
        rig.start()
        let service = try rig.service(as: BLEService.self)
        rig.client.start()
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })
        sim.send("sensors")
        #expect(loop.run(timeout: 5) { service.registry.count >= 5 })

        let approve = BLETestSupport.bcms(registry, ["approve", "--address", "a4:c1:38:00:00:01"])
        #expect(approve.output.json["status"]?.boolValue == true)
        #expect(approve.output.json["errors"]?.arrayValue?.isEmpty == true)
        // No backend configured: approved, with no id until the backend assigns one.
        let id = try #require(service.settings.approved[BLEAddress("A4:C1:38:00:00:01")!])
        #expect(id == "")
        // Persisted in the store's saved file, and the service was not restarted for it.
        let reread = ConfigStore(schema: rig.store.schema, dataDirectory: rig.directory.path, environment: { _ in nil })
        #expect(reread.value(BLEConfigKeys.approved) == ["A4:C1:38:00:00:01="])
        sim.send("sensors")
        let configTopic = "homeassistant/sensor/switchyard_test_ble_a4c138000001_temperature/config"
        #expect(loop.run(timeout: 5) { observer.lines.contains { $0.hasPrefix(configTopic + " ") } })
        let config = try #require(BLETestSupport.last(observer, configTopic))
        #expect(config["unique_id"]?.stringValue == "switchyard_test_ble_a4c138000001_temperature")
        #expect(config["state_topic"]?.stringValue == "switchyard/test/ble/A4C138000001")
        #expect(config["unit_of_measurement"]?.stringValue == "°C")
        #expect(config["state_class"]?.stringValue == "measurement")
        #expect(config["device"]?["identifiers"]?[0]?.stringValue == "ble_a4c138000001")
        // Linked to the gateway's device, which was announced too; unavailable when the
        // gateway is offline or the device away.
        #expect(config["device"]?["via_device"]?.stringValue == "switchyard_test")
        #expect(config["availability_mode"]?.stringValue == "all")
        #expect(config["availability"]?[0]?["topic"]?.stringValue == "switchyard/test/status")
        #expect(config["availability"]?[0]?["payload_not_available"]?.stringValue == "offline")
        #expect(config["availability"]?[1]?["topic"]?.stringValue == "switchyard/test/ble/A4C138000001/presence")
        #expect(config["availability"]?[1]?["payload_available"]?.stringValue == "home")
        let gateway = try #require(BLETestSupport.last(observer, "homeassistant/binary_sensor/switchyard_test_status/config"))
        #expect(gateway["device"]?["identifiers"]?[0]?.stringValue == "switchyard_test")
        #expect(gateway["device_class"]?.stringValue == "connectivity")

        let list = BLETestSupport.bcms(registry, ["list", "--only_approved"], origin: .rpc).output.json
        #expect(list["devices"]?.arrayValue?.count == 1)
        #expect(list["devices"]?[0]?["approved"]?.boolValue == true)
        #expect(list["devices"]?[0]?["iotDeviceId"]?.isNull == true)
        #expect(list["devices"]?[0]?["decoder"]?.stringValue == "bthome_v2")
        let all = registry.execute("bcms", CommandRequest(origin: .rpc, arguments: [],
                                                          parameters: ["method": "list", "onlyApproved": false]))
        #expect((all.output.json["devices"]?.arrayValue?.count ?? 0) >= 5)

        #expect(BLETestSupport.bcms(registry, ["mode"]).output.json["mode"]?.stringValue == "passive")
        #expect(BLETestSupport.bcms(registry, ["set_mode", "--mode", "active"]).output.json["status"]?.boolValue == true)
        #expect(loop.run(timeout: 5) { sim.records.contains("PARAMS active") && service.scanner?.state == .scanning })
        #expect(ConfigStore(schema: rig.store.schema, dataDirectory: rig.directory.path, environment: { _ in nil })
            .value(BLEConfigKeys.mode) == .active)
        let badMode = BLETestSupport.bcms(registry, ["set_mode", "--mode", "sideways"]).output.json
        #expect(badMode["status"]?.boolValue == false)
        #expect(badMode["errors"]?[0]?.stringValue?.contains("off, passive or active") == true)
        let badAddress = BLETestSupport.bcms(registry, ["approve", "--address", "nope"]).output.json
        #expect(badAddress["status"]?.boolValue == false)
        #expect(badAddress["errors"]?[0]?.stringValue?.contains("not a MAC address") == true)
        #expect(!BLETestSupport.bcms(registry, ["explode"]).ok)

        let remove = BLETestSupport.bcms(registry, ["remove", "--address", "A4:C1:38:00:00:01"]).output.json
        #expect(remove["status"]?.boolValue == true)
        #expect(service.settings.approved.isEmpty)
        #expect(service.registry[BLEAddress("A4:C1:38:00:00:01")!] == nil)
        #expect(BLETestSupport.bcms(registry, ["remove", "--address", "A4:C1:38:00:00:01"]).output.json["status"]?.boolValue == false)
        #expect(BLETestSupport.bcms(registry, ["set_mode", "off"]).output.json["status"]?.boolValue == true)
        #expect(service.scanner == nil)
    }

    @Test("filters: deny list, RSSI floor, approved-only publishing; presence turns away after the timeout")
    func filtersAndPresence() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0", "ble.scan_s": "1",
            "ble.deny": "C2:76:12:34:56:78", "ble.min_rssi": "-75", "ble.approved_only": "true",
            "ble.presence_timeout_s": "5", "ble.watchdog_windows": "100",
            "ble.approved": "A4:C1:38:01:02:03=cd553938-8960-4e70-864a-a7fba06578c0",
        ], connect: false, mqtt: { $0.keepaliveSeconds = 10 })
        let observer = try rig.observe(["switchyard/test/ble/#"])
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        rig.client.start()
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })
        sim.send("sensors")
        #expect(loop.run(timeout: 5) { observer.lines.contains { $0.hasPrefix("switchyard/test/ble/A4C138010203 ") } })
        // Denied (Ruuvi) and too weak (the phone at -80) are not even tracked.
        #expect(service.registry[BLEAddress("C2:76:12:34:56:78")!] == nil)
        #expect(service.registry[BLEAddress("5A:11:22:33:44:55")!] == nil)
        #expect(service.stats.filtered >= 2)
        // Tracked but not approved: listed, never published.
        #expect(service.registry[BLEAddress("A4:C1:38:00:00:01")!] != nil)
        let published = Set(observer.lines.map { String($0.split(separator: " ")[0]) })
        #expect(published == ["switchyard/test/ble/A4C138010203", "switchyard/test/ble/A4C138010203/presence"])
        // The first publish says home (Home Assistant's availability needs it).
        #expect(loop.run(timeout: 5) { observer.lines.contains("switchyard/test/ble/A4C138010203/presence home") })
        let reading = try #require(BLETestSupport.last(observer, "switchyard/test/ble/A4C138010203"))
        #expect(reading["iot_device_id"]?.stringValue == "cd553938-8960-4e70-864a-a7fba06578c0")
        // Unseen for the timeout: away, retained, once.
        #expect(loop.run(timeout: 12) {
            observer.lines.contains("switchyard/test/ble/A4C138010203/presence away")
        })
        #expect(try MQTTTool.retained(port: rig.port, topic: "switchyard/test/ble/A4C138010203/presence") == "away")
        sim.send("sensors")
        #expect(loop.run(timeout: 5) {
            observer.lines.filter { $0 == "switchyard/test/ble/A4C138010203/presence home" }.count == 2
        })
    }
}
