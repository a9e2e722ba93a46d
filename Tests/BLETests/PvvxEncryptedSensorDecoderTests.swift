@testable import BLE
import Foundation
import JSON
import ServiceTestSupport
import TestSupport
import Testing

/// pvvx's encrypted 0x181A beacons, with adverts of the corpus (sealed by tools/ble-corpus.py
/// with Python's `cryptography`, from the firmware's documented layout).
@Suite("pvvx encrypted 0x181A: bindkey, MIC, 8-bit counter replay window")
struct PvvxEncryptedSensorDecoderTests {
    private func advert(_ label: String) throws -> BLECorpus.Advert {
        try #require(try BLECorpus.load().first { $0.label == label })
    }

    private func decode(_ advert: BLECorpus.Advert, key: [UInt8]?, bindkey: [UInt8]?,
                        last: UInt32?) throws -> SensorDecoder.Result {
        let data = try #require(AdvertisingData.parse(advert.data[...]))
        return SensorDecoder.decode(data, address: advert.address, key: key, lastCounter: last, bindkey: bindkey)
    }

    @Test("without a key the advert is refused as noKey; the bindkey is used before the BTHome key")
    func keys() throws {
        let advert = try advert("pvvx encrypted 22.53")
        #expect(try decode(advert, key: nil, bindkey: nil, last: nil).failure == .noKey)
        let wrong = [UInt8](repeating: 0x5A, count: 16)
        let byBindkey = try decode(advert, key: wrong, bindkey: BLECorpus.key, last: nil)
        #expect(byBindkey.reading?.value(.temperature) == 22.53)
        #expect(byBindkey.counter == 0x10)
        #expect(try decode(advert, key: nil, bindkey: wrong, last: nil).failure == .authentication)
        // Only a BTHome key configured: the firmware's one bindkey may be entered there too.
        #expect(try decode(advert, key: BLECorpus.key, bindkey: nil, last: nil).reading?.format == .pvvxEncrypted)
    }

    @Test("the same counter again and counters behind are replays; 1...127 ahead is new, across the wrap")
    func replayWindow() throws {
        let at16 = try advert("pvvx encrypted 22.53")
        let at0 = try advert("pvvx encrypted -327.68")
        let atc128 = try advert("atc1441 encrypted -40.0")
        let key = BLECorpus.key
        #expect(try decode(at16, key: nil, bindkey: key, last: 0x10).failure == .replay)
        #expect(try decode(at16, key: nil, bindkey: key, last: 0x0F).counter == 0x10)
        #expect(try decode(at16, key: nil, bindkey: key, last: 0x90).failure == .replay)
        #expect(try decode(at16, key: nil, bindkey: key, last: 0x91).counter == 0x10)
        #expect(try decode(at16, key: nil, bindkey: key, last: 0x11).failure == .replay)
        #expect(try decode(at0, key: nil, bindkey: key, last: 0xFF).counter == 0)
        #expect(try decode(atc128, key: nil, bindkey: key, last: 0x01).counter == 0x80)
        #expect(try decode(atc128, key: nil, bindkey: key, last: 0x00).failure == .replay)
        // A forged advert fails on its MIC before the counter is looked at.
        #expect(try decode(try advert("atc1441 encrypted forged"), key: nil, bindkey: key, last: 0).failure == .authentication)
    }

    @Test("the short pvvx layout (no flags byte) carries the MAC reversed like the long one")
    func shortLayout() throws {
        let advert = try advert("pvvx without flags -5.12")
        #expect(SensorDecoder.embeddedAddress(advert.data[4...]) == advert.address)
        #expect(try decode(advert, key: nil, bindkey: nil, last: nil).reading?.format == .pvvx)
    }

    @Test("through the service: pvvx, atc1441 and legacy MiBeacon adverts publish with ble.bindkeys; repeats are replays")
    func throughTheService() throws {
        let corpus = try BLECorpus.load()
        func hex(_ label: String) throws -> String {
            try #require(corpus.first { $0.label == label }).data.map { String(format: "%02x", $0) }.joined()
        }
        let address = "A4:C1:38:01:02:03"
        let sim = try HCISimulator()
        let rig = try ServiceRig(descriptor: BLEService.descriptor, settings: [
            "ble.enabled": "true", "ble.adapter": sim.path, "ble.publish_interval_s": "0",
            "ble.bindkeys": address + "=231d39c1d7cc1ab1aee224cd096db932",
        ], connect: false, mqtt: { $0.keepaliveSeconds = 10 })
        let observer = try rig.observe(["switchyard/test/ble/#"])
        let loop = rig.loop
        rig.start()
        let service = try rig.service(as: BLEService.self)
        rig.client.start()
        #expect(loop.run(timeout: 5) { rig.client.isConnected && service.scanner?.state == .scanning })
        let topic = "switchyard/test/ble/A4C138010203"
        func published(_ format: String, _ temperature: Double) -> Bool {
            let last = BLETestSupport.last(observer, topic)
            return last?["format"]?.stringValue == format && last?["temperature"]?.doubleValue == temperature
        }
        let pvvx = try hex("pvvx encrypted 22.53")
        sim.send("advert \(pvvx) \(address) -60")
        #expect(loop.run(timeout: 5) { published("pvvx_encrypted", 22.53) })
        sim.send("advert \(pvvx) \(address) -60")
        #expect(loop.run(timeout: 5) { service.stats.bthomeReplays == 1 })
        sim.send("advert \(try hex("atc1441 encrypted 21.5")) \(address) -60")
        #expect(loop.run(timeout: 5) { published("atc1441_encrypted", 21.5) })
        sim.send("advert \(try hex("mibeacon legacy v3 temperature humidity")) \(address) -60")
        #expect(loop.run(timeout: 5) { published("mibeacon_encrypted", -9.5) })
        // The first pvvx advert again: its 8-bit counter is now behind the remembered one.
        sim.send("advert \(pvvx) \(address) -60")
        #expect(loop.run(timeout: 5) { service.stats.bthomeReplays == 2 })
        #expect(BLETestSupport.last(observer, topic)?["format"]?.stringValue == "mibeacon_encrypted")
        rig.stop()
    }
}
