@testable import BLE
import Crypto
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import ServiceTestSupport
import TestSupport
import Testing
import Uplink

/// Issue 20 item 12: an H4 stream has no framing but its length bytes, so one truncated
/// event used to swallow the adverts after it (about 14 of 200 survived). The service now
/// resynchronises on the next plausible event and counts the loss.
@Suite("H4 stream resynchronisation after a truncated event", .serialized)
struct H4ResyncTests {
    /// The reference BTHome advert (25.00 degC, 50.55 %) behind the flags AD structure a
    /// BTHome device sends first.
    static let advert = "020106" + "0A16D2FC4002C40903BF13"

    /// One legacy advertising report event for `advert` from `address`, as hci-sim.py sends it.
    static func event(_ address: BLEAddress, rssi: Int8 = -50) -> [UInt8] {
        let ad = BLETestVectors.bytes(advert)
        let report: [UInt8] = [0x00, 0x00] + address.displayBytes.reversed() + [UInt8(ad.count)] + ad
            + [UInt8(bitPattern: rssi)]
        let params: [UInt8] = [0x02, 0x01] + report
        return [0x04, 0x3E, UInt8(params.count)] + params
    }

    /// The `index`th device of a burst (distinct, so every one that survives is counted once).
    static func address(_ index: Int) -> BLEAddress {
        BLEAddress(String(format: "A4:C1:38:77:%02X:%02X", index >> 8, index & 0xFF))!
    }

    /// Runs `lines` of hci-sim commands through the service over a pty and returns how many
    /// of the `expected` burst devices were decoded, with the scanner's counters.
    static func survivors(_ lines: [String], expected: Int) throws -> (decoded: Int, stats: HCIScannerStats) {
        let rig = try ScanningRig(["ble.watchdog_windows": "100"])
        defer { rig.host.stopAll() }
        // One write: the truncated event and the adverts reach the pty back to back.
        rig.sim.send(lines.joined(separator: "\n"))
        // A last advert from another device marks the end of the burst once it is through;
        // without resynchronisation it may be swallowed too, hence the deadline.
        let marker = BLEAddress("A4:C1:38:77:FF:FF")!
        rig.sim.send("advert \(advert) \(marker.text) -50")
        rig.loop.run(timeout: 5) { rig.service.registry[marker]?.reading != nil }
        let decoded = (0..<expected).filter { rig.service.registry[address($0)]?.reading != nil }.count
        return (decoded, rig.service.scanner?.stats ?? HCIScannerStats())
    }

    @Test("a truncated event in front of 200 adverts loses only itself, and the loss is counted")
    func truncatedEventInFront() throws {
        // The first 12 of an advert event's 26 bytes: its length byte promises 14 more.
        let truncated = Array(H4ResyncTests.event(BLEAddress("A4:C1:38:77:EE:EE")!).prefix(12))
        var lines = ["raw " + Hex.encode(truncated)]
        for index in 0..<200 { lines.append("advert \(H4ResyncTests.advert) \(H4ResyncTests.address(index).text) -50") }
        let (decoded, stats) = try H4ResyncTests.survivors(lines, expected: 200)
        print("H4 resync: \(decoded) of 200 adverts decoded after a truncated event in front; \(stats.resyncs) resyncs, "
              + "\(stats.resyncBytes) bytes dropped")
        #expect(decoded >= 199)
        #expect(stats.resyncs >= 1)
        #expect(stats.resyncBytes >= truncated.count)
    }

    @Test("truncated events among 200 adverts: every one is counted, nearly every advert survives")
    func truncatedEventsAmong() throws {
        var lines: [String] = []
        var cuts = 0
        for index in 0..<200 {
            if index % 25 == 10 {
                // Cut at different places: in the header, the address, the AD, before the RSSI.
                let event = H4ResyncTests.event(BLEAddress("A4:C1:38:77:EE:EE")!)
                let keep = [2, 5, 9, 14, 18, 21, 26, 28][cuts % 8]
                lines.append("raw " + Hex.encode(Array(event.prefix(keep))))
                cuts += 1
            }
            lines.append("advert \(H4ResyncTests.advert) \(H4ResyncTests.address(index).text) -50")
        }
        let (decoded, stats) = try H4ResyncTests.survivors(lines, expected: 200)
        print("H4 resync: \(decoded) of 200 adverts decoded with \(cuts) truncated events among them; "
              + "\(stats.resyncs) resyncs, \(stats.resyncBytes) bytes dropped")
        #expect(decoded >= 200 - cuts)
        #expect(stats.resyncs >= cuts)
    }
    /// Manufacturer data that ends in `04 3E`: with the RSSI byte after it, that is the head
    /// of an LE event, so until more bytes come the event around it cannot be told from a
    /// truncated one.
    static let holdingAdvert = "020106" + "05FF4C00043E"

    @Test("the last advert of a burst is delivered once the line goes quiet, not held until the next one")
    func lastAdvertNotHeld() throws {
        let rig = try ScanningRig([:])
        defer { rig.host.stopAll() }
        let device = BLEAddress("A4:C1:38:77:AB:CD")!
        rig.sim.send("advert \(H4ResyncTests.holdingAdvert) \(device.text) -50")
        // Nothing follows it: it arrives within the quiet interval, not when the next advert does.
        #expect(rig.loop.run(timeout: 3) { rig.service.registry[device] != nil })
        #expect(rig.service.scanner?.stats.resyncs == 0)
    }
}

/// The BLE service scanning over a pty to hci-sim.py, publishing to a test broker.
final class ScanningRig {
    let sim: HCISimulator
    let rig: ServiceRig
    let service: BLEService
    var loop: EventLoop { rig.loop }
    var host: ServiceHost { rig.host }

    init(_ settings: [String: String]) throws {
        sim = try HCISimulator()
        var all = ["ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0"]
        all.merge(settings) { _, new in new }
        rig = try ServiceRig(descriptor: BLEService.descriptor, settings: all, mqtt: { $0.keepaliveSeconds = 10 })
        rig.start()
        service = try rig.service(as: BLEService.self)
        #expect(rig.run(timeout: 5) { self.service.scanner?.state == .scanning })
    }
}

@Suite("H4 reassembler framing")
struct H4ReassemblerTests {
    /// What framing `stream` read `chunk` bytes at a time gave: the advertisers in order,
    /// other events, and the reassembler's counters.
    static func frame(_ stream: [UInt8], chunk: Int = 4096)
        -> (addresses: [String], others: Int, resyncs: Int, resyncBytes: Int, pending: Int)
    {
        frame(reads: stride(from: 0, to: stream.count, by: chunk).map { Array(stream[$0..<min(stream.count, $0 + chunk)]) })
    }

    /// The same for `reads` handed over one by one.
    static func frame(reads: [[UInt8]], source: H4Reassembler.Source = .stream)
        -> (addresses: [String], others: Int, resyncs: Int, resyncBytes: Int, pending: Int)
    {
        var reassembler = H4Reassembler(source: source)
        var addresses: [String] = []
        var others = 0
        for read in reads {
            read.withUnsafeBytes { raw in
                reassembler.feed(raw) { packet in
                    guard case .leMeta(_, let params)? = HCIEvent.parse(packet),
                          HCIAdvertisingReport.forEachLegacy(params, { addresses.append($0.address.text) })
                    else {
                        others += 1
                        return
                    }
                }
            }
        }
        return (addresses, others, reassembler.resyncs, reassembler.resyncBytes, reassembler.pendingCount)
    }

    static let commandComplete: [UInt8] = [0x04, 0x0E, 0x04, 0x01, 0x0C, 0x20, 0x00]
    static func truncated(_ keep: Int) -> [UInt8] {
        Array(H4ResyncTests.event(BLEAddress("A4:C1:38:77:EE:EE")!).prefix(keep))
    }

    /// A command reply, then 40 adverts with truncated events (cut in the address, in the
    /// data, and just before the RSSI: the last two still hold together as reports), a head
    /// that claims 255 bytes, and noise among them.
    static var damagedStream: [UInt8] {
        var stream = commandComplete
        for index in 0..<40 {
            switch index {
            case 5: stream += truncated(26)
            case 10: stream += truncated(12)
            case 20: stream += [0x04, 0x3E, 0xFF]
            case 30: stream += [0x00, 0xFF, 0x02, 0x01, 0x06]
            case 35: stream += truncated(28)
            default: break
            }
            stream += H4ResyncTests.event(H4ResyncTests.address(index))
        }
        return stream
    }

    @Test("a clean stream: every event delivered in order, nothing counted")
    func cleanStream() {
        var stream = H4ReassemblerTests.commandComplete
        for index in 0..<50 { stream += H4ResyncTests.event(H4ResyncTests.address(index)) }
        let framed = H4ReassemblerTests.frame(stream)
        #expect(framed.addresses == (0..<50).map { H4ResyncTests.address($0).text })
        #expect(framed.others == 1)
        #expect(framed.resyncs == 0 && framed.resyncBytes == 0 && framed.pending == 0)
    }

    @Test("truncated events, a head claiming 255 bytes, noise: each run counted once, every advert around them delivered")
    func damage() {
        let framed = H4ReassemblerTests.frame(H4ReassemblerTests.damagedStream)
        #expect(framed.addresses == (0..<40).map { H4ResyncTests.address($0).text })
        #expect(framed.others == 1)
        #expect(framed.resyncs == 5)
        #expect(framed.resyncBytes == 26 + 12 + 3 + 5 + 28)
        #expect(framed.pending == 0)
    }

    @Test("how reads cut the stream does not change the framing", arguments: [1, 2, 7, 29, 300])
    func chunking(size: Int) {
        let whole = H4ReassemblerTests.frame(H4ReassemblerTests.damagedStream)
        let cut = H4ReassemblerTests.frame(H4ReassemblerTests.damagedStream, chunk: size)
        #expect(cut.addresses == whole.addresses)
        #expect(cut.others == whole.others)
        #expect(cut.resyncs == whole.resyncs && cut.resyncBytes == whole.resyncBytes)
    }

    @Test("a report event whose reports do not fill it exactly is not an event; a quiet stream's last event is delivered at once")
    func leftoverBytes() {
        var event = H4ResyncTests.event(H4ResyncTests.address(1))
        event[2] += 1
        event.append(0xAA)
        let valid = H4ResyncTests.event(H4ResyncTests.address(2))
        let framed = H4ReassemblerTests.frame(event + valid)
        #expect(framed.addresses == [H4ResyncTests.address(2).text])
        #expect(framed.resyncs == 1 && framed.resyncBytes == event.count)
        #expect(framed.pending == 0)
    }

    @Test("a command reply at the end of what arrived is delivered at once, even when an event could start inside it")
    func commandReplyNotHeld() {
        // LE Set Event Mask's reply: `04 01 01 20` inside it reads as an Inquiry Complete.
        let reply: [UInt8] = [0x04, 0x0E, 0x04, 0x01, 0x01, 0x20, 0x00]
        let framed = H4ReassemblerTests.frame(reply)
        #expect(framed.others == 1 && framed.pending == 0 && framed.resyncs == 0)
    }

    @Test("a socket's reads are whole packets: a broken one is dropped with its read and never eats the next")
    func socketReads() {
        let broken = H4ReassemblerTests.truncated(20)
        let valid = H4ResyncTests.event(H4ResyncTests.address(3))
        let framed = H4ReassemblerTests.frame(reads: [broken, valid], source: .packets)
        #expect(framed.addresses == [H4ResyncTests.address(3).text])
        #expect(framed.resyncs == 1 && framed.resyncBytes == broken.count && framed.pending == 0)
        // The same reads as a stream: the truncated event is found all the same.
        #expect(H4ReassemblerTests.frame(reads: [broken, valid]).addresses == [H4ResyncTests.address(3).text])
    }
    @Test("an event that could hold the start of the next is held until more bytes come or the line goes quiet")
    func heldUntilQuiet() {
        let ad = BLETestVectors.bytes(H4ResyncTests.holdingAdvert)
        let address = H4ResyncTests.address(9)
        let report: [UInt8] = [0x00, 0x00] + address.displayBytes.reversed() + [UInt8(ad.count)] + ad + [0xCE]
        let params: [UInt8] = [0x02, 0x01] + report
        let event: [UInt8] = [0x04, 0x3E, UInt8(params.count)] + params
        var reassembler = H4Reassembler(source: .stream)
        var delivered = 0
        event.withUnsafeBytes { raw in reassembler.feed(raw) { _ in delivered += 1 } }
        #expect(delivered == 0 && reassembler.isHolding)
        reassembler.lineWentQuiet { _ in delivered += 1 }
        #expect(delivered == 1 && !reassembler.isHolding && reassembler.resyncs == 0)
    }
}
