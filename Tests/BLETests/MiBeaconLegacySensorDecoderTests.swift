@testable import BLE
import Testing

/// Legacy MiBeacon (versions 2 and 3) encryption against two adverts of a real YLKG07YL dimmer
/// (public test data of Home Assistant's xiaomi-ble and of ble_monitor, with its 12-byte
/// key): they decrypt to object 0x1001 (a remote event, not published) only when the first
/// byte of the 16-byte CCM MIC matches, which fixes the scheme this decoder follows.
@Suite("MiBeacon legacy encryption: real YLKG07YL adverts, one-byte MIC, counters")
struct MiBeaconLegacySensorDecoderTests {
    private let address = BLEAddress("F8:24:41:C5:98:8B")!
    /// The 12-byte key b853075158487ca39a5b5ea9 as entered in `ble.bindkeys`: 8D3D3C97 after its sixth byte.
    private let key = BLETestVectors.bytes("b85307515848" + "8d3d3c97" + "7ca39a5b5ea9")
    private let press = BLETestVectors.bytes("5830b603d28b98c54124f8c3491476757e00000099")
    private let rotate = BLETestVectors.bytes("5830b603368b98c54124f88bb8f2661351000000d6")

    private func decode(_ serviceData: [UInt8], last: UInt32? = nil, key: [UInt8]? = nil) throws -> SensorDecoder.Result {
        let ad = [UInt8(serviceData.count + 3), 0x16, 0x95, 0xFE] + serviceData
        let data = try #require(AdvertisingData.parse(ad[...]))
        return SensorDecoder.decode(data, address: address, key: nil, lastCounter: last, bindkey: key ?? self.key)
    }

    @Test("both adverts open with the key; their counters are frame counter | extended counter << 8")
    func realAdverts() throws {
        let first = try decode(press)
        #expect(first.failure == nil)
        #expect(first.reading?.format == .miBeaconEncrypted)
        #expect(first.reading?.undecoded == nil)
        #expect(first.counter == 0xD2)
        #expect(try decode(rotate).counter == 0x36)
    }

    @Test("a flipped MIC byte, a flipped ciphertext byte or another key fail; an old counter is a replay")
    func refusals() throws {
        var forged = press
        forged[forged.count - 1] ^= 0x01
        #expect(try decode(forged).failure == .authentication)
        var altered = press
        altered[11] ^= 0x01
        #expect(try decode(altered).failure == .authentication)
        #expect(try decode(press, key: [UInt8](repeating: 0x11, count: 16)).failure == .authentication)
        #expect(try decode(press, last: 0xD2).failure == .replay)
        #expect(try decode(press, last: 0xD1).counter == 0xD2)
    }
}
