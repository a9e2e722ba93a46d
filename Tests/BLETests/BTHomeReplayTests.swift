@testable import BLE
import Crypto
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import TestSupport
import ServiceTestSupport
import Testing
import Uplink

/// Issue 20 item 12: the BTHome replay counters lived only in memory (and in the registry's
/// device, which eviction and the cache clear drop), so a recorded encrypted advert was
/// accepted once more after a restart. They are now a table of their own, saved in the data
/// directory at most once a minute and at stop.
@Suite("BTHome replay counters survive restarts and registry evictions", .serialized)
struct BTHomeReplayTests {
    static let address = BLETestVectors.bthomeKeyAddress
    static let keys = ["ble.bthome_keys": "54:48:E6:8F:80:A5=231d39c1d7cc1ab1aee224cd096db932"]

    /// The encrypted BTHome AD structure of the reference objects with `counter`, sealed like
    /// the Python vector (info 0x41; nonce MAC | d2fc | info | counter).
    static func encryptedAD(counter: UInt32) throws -> [UInt8] {
        let counterBytes = (0..<4).map { UInt8(truncatingIfNeeded: counter >> (8 * $0)) }
        let nonce = address.displayBytes + [0xD2, 0xFC, 0x41] + counterBytes
        let plain: [UInt8] = [0x02, 0xC4, 0x09, 0x03, 0xBF, 0x13]
        let sealed = try #require(AESCCM.seal(key: BLETestVectors.bthomeKey, nonce: nonce, plaintext: plain))
        let data: [UInt8] = [0x41] + sealed.prefix(plain.count) + counterBytes + sealed.suffix(4)
        return [UInt8(data.count + 3), 0x16, 0xD2, 0xFC] + data
    }

    static func send(_ sim: HCISimulator, _ ad: [UInt8], from address: BLEAddress = address) {
        sim.send("advert \(Hex.encode(ad)) \(address.text) -62")
    }

    @Test("the sealing helper reproduces the Python vector")
    func vector() throws {
        #expect(try BTHomeReplayTests.encryptedAD(counter: 0x0011_2233) == BLETestVectors.bthomeEncryptedAD)
    }

    @Test("an encrypted advert accepted before a service restart is refused after it; a newer one is accepted")
    func replayAfterRestart() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor,
                                 settings: ["ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0"]
                                     .merging(BTHomeReplayTests.keys) { $1 }, broker: false)
        let loop = rig.loop
        let recorded = BLETestVectors.bthomeEncryptedAD

        rig.start()
        let before = try rig.service(as: BLEService.self)
        #expect(loop.run(timeout: 5) { before.scanner?.state == .scanning })
        BTHomeReplayTests.send(sim, recorded)
        #expect(loop.run(timeout: 5) { before.stats.decoded == 1 })
        rig.stop()
        #expect(loop.run(timeout: 3) { sim.records.contains("SCAN off") })

        // The gateway restarting: a new host over the same store, loop and client.
        let second = rig.makeHost()
        second.startAll()
        defer { second.stopAll() }
        let after = try #require(second.service(named: "ble") as? BLEService)
        #expect(loop.run(timeout: 5) { after.scanner?.state == .scanning })
        BTHomeReplayTests.send(sim, recorded)
        #expect(loop.run(timeout: 5) { after.stats.bthomeReplays + after.stats.decoded >= 1 })
        print("BTHome replay after a restart: \(after.stats.decoded == 0 ? "refused" : "accepted")")
        #expect(after.stats.bthomeReplays == 1)
        #expect(after.stats.decoded == 0)
        #expect(after.registry[BTHomeReplayTests.address]?.reading == nil)
        // The device's next genuine advert still goes through.
        BTHomeReplayTests.send(sim, try BTHomeReplayTests.encryptedAD(counter: 0x0011_2234))
        #expect(loop.run(timeout: 5) { after.stats.decoded == 1 })
        #expect(after.registry[BTHomeReplayTests.address]?.reading?.format == .bthomeEncrypted)
        let state = second.stateJSON()["ble"]?["state"]?["bthome_counters"]
        #expect(state?["devices"]?.intValue == 1)
    }

    @Test("a device evicted from a full registry keeps its counter: its recorded advert is still refused")
    func replayAfterEviction() throws {
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor,
                                 settings: ["ble.enabled": "true", "ble.adapter": sim.path, "ble.max_devices": "16"]
                                     .merging(BTHomeReplayTests.keys) { $1 }, broker: false)
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        #expect(loop.run(timeout: 5) { service.scanner?.state == .scanning })
        BTHomeReplayTests.send(sim, BLETestVectors.bthomeEncryptedAD)
        #expect(loop.run(timeout: 5) { service.stats.decoded == 1 })
        // Twenty other devices push it out of the sixteen places.
        sim.send("flood 20")
        #expect(loop.run(timeout: 5) { service.registry[BTHomeReplayTests.address] == nil })
        #expect(service.registry.evictions >= 1)
        BTHomeReplayTests.send(sim, BLETestVectors.bthomeEncryptedAD)
        #expect(loop.run(timeout: 5) { service.stats.bthomeReplays + service.stats.decoded >= 22 })
        #expect(service.stats.bthomeReplays == 1)
        #expect(service.registry[BTHomeReplayTests.address]?.reading == nil)
    }
}

/// The counter table and its file, on a test clock: the rate limit, the power-cut window,
/// the bound, and the range checks on what the file holds.
@Suite("BTHome counter table and file")
struct BTHomeCounterStoreTests {
    static func address(_ last: UInt8) -> BLEAddress { BLEAddress(rawValue: 0xAABB_CCDD_EE00 | UInt64(last)) }

    /// The counter of `address` the file on disk holds now (what a restart would load).
    static func onDisk(_ directory: TemporaryDirectory, _ address: BLEAddress) throws -> UInt32? {
        let loop = try EventLoop(clock: TestClock())
        let store = BTHomeCounterStore(dataDirectory: directory.path, loop: loop, log: Logger("test"))
        store.load()
        return store.last(address)
    }

    @Test("saved at once the first time, then at most once a minute, and at stop; a power cut loses only the last minute")
    func rateLimit() throws {
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        let directory = TemporaryDirectory(prefix: "ble-counters")
        let store = BTHomeCounterStore(dataDirectory: directory.path, loop: loop, log: Logger("test"))
        let device = BTHomeCounterStoreTests.address(1)
        store.load()
        store.accept(10, from: device)
        try loop.runOnce(maxWait: .zero)
        #expect(store.saves == 1)
        #expect(try BTHomeCounterStoreTests.onDisk(directory, device) == 10)

        store.accept(11, from: device)
        store.accept(12, from: device)
        clock.advance(by: .seconds(59))
        try loop.runOnce(maxWait: .zero)
        #expect(store.saves == 1)
        // A power cut now: the restart knows 10, so 11 and 12 could be replayed once (the window).
        #expect(try BTHomeCounterStoreTests.onDisk(directory, device) == 10)
        clock.advance(by: .seconds(1))
        try loop.runOnce(maxWait: .zero)
        #expect(store.saves == 2)
        #expect(try BTHomeCounterStoreTests.onDisk(directory, device) == 12)

        store.accept(13, from: device)
        store.stop()
        #expect(store.saves == 3)
        #expect(try BTHomeCounterStoreTests.onDisk(directory, device) == 13)
        // Nothing new: stopping again writes nothing.
        store.stop()
        #expect(store.saves == 3)
        let text = try String(contentsOfFile: directory.file(BTHomeCounterStore.fileName), encoding: .utf8)
        #expect(text == #"{"counters":{"AA:BB:CC:DD:EE:01":13}}"#)
    }

    @Test("the file's numbers are range-checked: negative, fractional, huge, out of UInt32, strings and bad addresses are refused")
    func fileRangeChecks() throws {
        let directory = TemporaryDirectory(prefix: "ble-counters-bad")
        let text = #"{"counters":{"AA:BB:CC:DD:EE:01":4294967295,"AA:BB:CC:DD:EE:02":-1,"AA:BB:CC:DD:EE:03":4294967296,"#
            + #""AA:BB:CC:DD:EE:04":1.5,"AA:BB:CC:DD:EE:05":1e300,"AA:BB:CC:DD:EE:06":-1e400,"AA:BB:CC:DD:EE:07":"7","#
            + #""AA:BB:CC:DD:EE:08":null,"not a MAC":5,"AA:BB:CC:DD:EE:09":0}}"#
        try text.write(toFile: directory.file(BTHomeCounterStore.fileName), atomically: true, encoding: .utf8)
        let loop = try EventLoop(clock: TestClock())
        let store = BTHomeCounterStore(dataDirectory: directory.path, loop: loop, log: Logger("test"))
        store.load()
        #expect(store.last(BTHomeCounterStoreTests.address(1)) == UInt32.max)
        #expect(store.last(BTHomeCounterStoreTests.address(9)) == 0)
        #expect(store.counters.count == 2)
        #expect(store.refusedOnLoad == 8)

        // Not JSON, or not the expected shape: refused whole, the table starts empty.
        for junk in ["NaN", "{\"counters\":[1,2]}", "\u{0}\u{1}garbage", String(repeating: " ", count: 200_000)] {
            try junk.write(toFile: directory.file(BTHomeCounterStore.fileName), atomically: true, encoding: .utf8)
            let fresh = BTHomeCounterStore(dataDirectory: directory.path, loop: loop, log: Logger("test"))
            fresh.load()
            #expect(fresh.counters.count == 0)
            #expect(fresh.refusedOnLoad == 1)
        }
    }

    @Test("bounded: a new device in a full table evicts the one accepted longest ago, and is counted")
    func bounded() {
        var table = BTHomeCounters(capacity: 3)
        for last in UInt8(1)...3 { table.accept(UInt32(last), from: BTHomeCounterStoreTests.address(last)) }
        table.accept(100, from: BTHomeCounterStoreTests.address(1))
        table.accept(4, from: BTHomeCounterStoreTests.address(4))
        #expect(table.count == 3)
        #expect(table.evictions == 1)
        #expect(table[BTHomeCounterStoreTests.address(2)] == nil)
        #expect(table[BTHomeCounterStoreTests.address(1)] == 100)
        #expect(table[BTHomeCounterStoreTests.address(4)] == 4)
        // The file's form keeps the bound as well.
        let parsed = BTHomeCounters.parse(table.json, capacity: 2)
        #expect(parsed?.counters.count == 2)
        #expect(parsed?.refused == 1)
    }
}
