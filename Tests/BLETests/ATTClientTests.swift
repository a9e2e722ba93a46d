@testable import BLE
import Foundation
import Runtime
import ServiceKit
import ServiceTestSupport
import TestSupport
import Testing

@Suite("ATT client against a heart-rate peripheral on a SOCK_SEQPACKET socketpair")
struct ATTClientTests {
    @Test("discovers across responses, subscribes to heart rate, reads the battery, decodes notifications, notices the drop")
    func heartRateSession() throws {
        let loop = try EventLoop()
        let peripheral = try ATTPeripheralSimulator(loop: loop)
        let client = ATTClient(descriptor: peripheral.clientEnd, loop: loop, timeout: .seconds(3))
        var readings: [SensorReading] = []
        var closed: String?
        client.onReading = { readings.append($0) }
        client.onClosed = { closed = $0 }
        client.start()
        #expect(loop.run(timeout: 5) { client.phase == .ready })
        #expect(client.heartRateHandle == 0x0011 && client.batteryHandle == 0x0021 && client.cccdHandle == 0x0012)
        #expect(peripheral.subscribed)
        // Two Read By Type rounds (two declarations per response) and one that finds nothing.
        #expect(peripheral.requests.filter { $0 == 0x08 }.count == 3)
        #expect(readings.first?.value(.battery) == 90)

        peripheral.notify(bpm: 67)
        peripheral.notify(bpm: 66)
        #expect(loop.run(timeout: 5) { readings.count == 3 })
        #expect(readings.compactMap { $0.value(.heartRate) } == [67, 66])
        peripheral.send([0x1B, 0x11])
        #expect(loop.run(timeout: 5) { client.malformedPDUs == 1 })

        peripheral.disconnect()
        #expect(loop.run(timeout: 5) { closed != nil })
        #expect(client.phase == .closed)
    }

    @Test("a peripheral that stops answering times the request out")
    func requestTimeout() throws {
        let loop = try EventLoop()
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &pair) == 0)
        let mine = OwnedDescriptor(FileDescriptor(pair[0]))
        try mine.fd.setNonBlocking()
        let silent = OwnedDescriptor(FileDescriptor(pair[1]))
        let client = ATTClient(descriptor: mine, loop: loop, timeout: .milliseconds(300))
        var closed: String?
        client.onClosed = { closed = $0 }
        client.start()
        #expect(loop.run(timeout: 5) { closed != nil })
        #expect(closed?.contains("no ATT response") == true)
        _ = silent
    }
}

@Suite("Active mode: GATT to approved devices from the service", .serialized)
struct BLEActiveModeTests {
    @Test("an approved heart-rate strap is connected in active mode; its values are published and queued for the IoT API")
    func heartRateStrap() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0", "ble.mode": "active",
            "ble.approved": "F0:11:22:33:44:55=cd553938-8960-4e70-864a-a7fba06578c0", "ble.scan_s": "1",
            "iot.url": "http://127.0.0.1:9/unused", "iot.submit_s": "3600",
        ], connect: false, mqtt: { $0.keepaliveSeconds = 10 })
        let observer = try rig.observe(["switchyard/test/ble/F01122334455"])
        let loop = rig.loop
        let peripheral = try ATTPeripheralSimulator(loop: loop)
        var opened: [BLEAddress] = []
        var settings = try BLESettings(store: rig.store)
        settings.scanInterval = .seconds(1)
        // Built by hand (not by the host) to hand it the simulated peripheral's end of the ATT link.
        let service = BLEService(settings: settings, context: rig.context(), openATT: { address, _, _ throws(BLEError) in
            opened.append(address)
            return peripheral.clientEnd
        }) { settings throws(BLEError) in try HCITransport.open(adapter: settings.adapter, baud: settings.uartBaud) }
        rig.client.start()
        try service.start()
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })
        // The strap advertises the Heart Rate service (0x180D) and its name, nothing decodable.
        sim.send("advert 02010603030D18 F0:11:22:33:44:55 -55")
        #expect(loop.run(timeout: 5) { service.gattLinks.values.first?.isConnected == true }, "\(service.gattJSON)")
        #expect(opened == [BLEAddress("F0:11:22:33:44:55")!])
        peripheral.notify(bpm: 67)
        #expect(loop.run(timeout: 5) { observer.lines.contains { $0.contains("\"heart_rate\":67") } }, "\(observer.lines)")
        let last = try #require(BLETestSupport.last(observer, "switchyard/test/ble/F01122334455"))
        #expect(last["battery"]?.doubleValue == 90)
        let queued = try #require(service.iot).cache
        #expect(queued.count >= 2)
        // Passive mode closes the link.
        #expect(service.setMode(.passive) == nil)
        #expect(service.gattLinks.isEmpty)
        service.stop()
    }
}
