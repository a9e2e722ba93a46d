@testable import BLE
import Foundation
import Runtime
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
