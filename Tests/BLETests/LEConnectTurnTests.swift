@testable import BLE
import Foundation
import Runtime
import ServiceKit
import ServiceTestSupport
import TestSupport
import Testing

@Suite("LE connect turns: one connection attempt per adapter, as the kernel allows")
struct LEConnectQueueTests {
    @Test("turns run one at a time in the order asked; a full queue refuses; a withdrawn request never runs")
    func orderAndBound() {
        let queue = LEConnectQueue(capacity: 2)
        var started: [String] = []
        let a = queue.request { _ in started.append("a") }
        let b = queue.request { _ in started.append("b") }
        let c = queue.request { _ in started.append("c") }
        #expect(started == ["a"] && queue.waitingCount == 2)
        // Two wait: one more is refused, nothing queued.
        #expect(queue.request { _ in started.append("d") } == nil && queue.refused == 1)
        queue.finished(try! #require(b))     // withdrawn while waiting
        queue.finished(try! #require(a))
        #expect(started == ["a", "c"])
        queue.finished(try! #require(a))     // twice: ignored
        #expect(started == ["a", "c"] && queue.running == c)
        // A turn that ends at once hands over to the next one from inside.
        var chained: [Int] = []
        _ = queue.request { ticket in chained.append(ticket); queue.finished(ticket) }
        _ = queue.request { ticket in chained.append(ticket) }
        queue.finished(try! #require(c))
        #expect(chained.count == 2 && queue.running == chained.last && queue.waitingCount == 0)
    }

    @Test("stopping forgets the turns; each request still waiting hears it, none runs")
    func removeAllTellsTheWaiting() {
        let queue = LEConnectQueue(capacity: 4)
        var ran = 0, dropped = 0
        _ = queue.request(dropped: { dropped += 1 }) { _ in ran += 1 }
        _ = queue.request(dropped: { dropped += 1 }) { _ in ran += 1 }
        _ = queue.request(dropped: { dropped += 1 }) { _ in ran += 1 }
        queue.removeAll()
        #expect(ran == 1 && dropped == 2 && queue.running == nil && queue.waitingCount == 0)
    }
}

/// Two heart-rate straps over GATT behind a kernel-like adapter (`KernelLEConnector`): a
/// second `connect()` while one attempt is pending is answered EBUSY, as Linux does.
@Suite("Active mode: GATT connects take turns on the adapter", .serialized)
struct LEConnectTurnServiceTests {
    static let strapA = "F0:11:22:33:44:55", strapB = "F0:11:22:33:44:66"
    /// Flags and the Heart Rate service (0x180D): nothing decodable, so active mode connects.
    static let strapAdvert = "02010603030D18"

    /// What each attempt found: the failures in a row the gateway counted for the device.
    final class Notes {
        weak var service: BLEService?
        var failuresAtAttempt: [Int] = []
    }

    final class Setup {
        let sim: HCISimulator
        let rig: ServiceRig
        let connector: KernelLEConnector
        let service: BLEService
        let notes = Notes()
        var failuresAtAttempt: [Int] { notes.failuresAtAttempt }

        init(approved: [String]) throws {
            sim = try HCISimulator()
            rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
                "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0", "ble.mode": "active",
                "ble.approved": approved.map { $0 + "=cd553938-8960-4e70-864a-a7fba06578c0" }.joined(separator: ","),
                "ble.scan_s": "1",
            ], connect: false, mqtt: { $0.keepaliveSeconds = 10 })
            let connector = KernelLEConnector(loop: rig.loop, establishing: .milliseconds(150))
            self.connector = connector
            var settings = try BLESettings(store: rig.store)
            settings.scanInterval = .seconds(1)
            let notes = self.notes
            // Built by hand to put the kernel-like adapter behind `openATT`.
            service = BLEService(settings: settings, context: rig.context(), openATT: { address, _, _ throws(BLEError) in
                notes.failuresAtAttempt.append(notes.service?.gattLinks[address]?.failuresInARow ?? -1)
                return try connector.open(address)
            }) { settings throws(BLEError) in try HCITransport.open(adapter: settings.adapter, baud: settings.uartBaud) }
            notes.service = service
        }
    }

    @Test("two straps approved together: the second connect waits for the first, no EBUSY, both deliver readings")
    func twoStrapsTogether() throws {
        let setup = try Setup(approved: [Self.strapA, Self.strapB])
        let (rig, service, connector) = (setup.rig, setup.service, setup.connector)
        let observer = try rig.observe(["switchyard/test/ble/#"])
        let loop = rig.loop
        let a = try #require(BLEAddress(Self.strapA)), b = try #require(BLEAddress(Self.strapB))
        let strapA = GATTPeripheralSimulator(.heartRateSensor, loop: loop)
        let strapB = GATTPeripheralSimulator(.heartRateSensor, loop: loop)
        connector.add(a, strapA)
        connector.add(b, strapB)
        rig.client.start()
        try service.start()
        defer { service.stop() }
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })
        // Both heard in one scan window: both links are wanted at the same maintenance.
        setup.sim.send("advert \(Self.strapAdvert) \(Self.strapA) -55")
        setup.sim.send("advert \(Self.strapAdvert) \(Self.strapB) -56")
        #expect(loop.run(timeout: 5) { service.gattLinks[a]?.isConnected == true && service.gattLinks[b]?.isConnected == true },
                "\(service.gattJSON) attempts \(connector.attempts)")
        #expect(connector.busyAnswers == 0, "attempts \(connector.attempts)")
        #expect(connector.attempts.count == 2 && Set(connector.attempts) == [a, b])
        #expect(setup.failuresAtAttempt == [0, 0])
        strapA.notify(0x2A37, [0x00, 71])
        strapB.notify(0x2A37, [0x00, 82])
        #expect(loop.run(timeout: 5) {
            observer.lines.contains { $0.contains("F01122334455") && $0.contains("\"heart_rate\":71") }
                && observer.lines.contains { $0.contains("F01122334466") && $0.contains("\"heart_rate\":82") }
        }, "\(observer.lines)")
    }

    @Test("EBUSY from an attempt the gateway did not start: retried soon, never counted as the device's failure")
    func busyIsNoFailure() throws {
        let setup = try Setup(approved: [Self.strapA])
        let (rig, service, connector) = (setup.rig, setup.service, setup.connector)
        let loop = rig.loop
        let a = try #require(BLEAddress(Self.strapA))
        let strap = GATTPeripheralSimulator(.heartRateSensor, loop: loop)
        connector.add(a, strap)
        rig.client.start()
        try service.start()
        defer { service.stop() }
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })
        // Another program's connection attempt holds the adapter for 1.6 s (the strap is first
        // tried within a scan window of the advert): failures in a row would have been counted
        // and, after three, put the strap into the 30 s backoff.
        connector.occupy(for: .milliseconds(1600))
        let began = Date()
        setup.sim.send("advert \(Self.strapAdvert) \(Self.strapA) -55")
        #expect(loop.run(timeout: 5) { service.gattLinks[a]?.isConnected == true }, "\(service.gattJSON)")
        #expect(Date().timeIntervalSince(began) < 3)
        #expect(connector.busyAnswers >= 2, "attempts \(connector.attempts)")
        #expect(service.gattLinks[a]?.busyAnswers == connector.busyAnswers)
        #expect(setup.failuresAtAttempt.allSatisfy { $0 == 0 }, "\(setup.failuresAtAttempt)")
    }
}
