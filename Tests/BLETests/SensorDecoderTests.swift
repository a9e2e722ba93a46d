@testable import BLE
import Crypto
import Testing

@Suite("Advertising data and sensor decoders against the reference vectors")
struct SensorDecoderTests {
    private let anyAddress = BLEAddress("A4:C1:38:01:02:03")!

    private func decode(_ ad: [UInt8], address: BLEAddress? = nil, key: [UInt8]? = nil,
                        counter: UInt32? = nil) throws -> SensorDecoder.Result {
        let data = try #require(AdvertisingData.parse(ad[...]))
        return SensorDecoder.decode(data, address: address ?? anyAddress, key: key, lastCounter: counter)
    }

    @Test("BTHome v2 reference vector: 25.00 degC, 50.55 %")
    func bthomePlain() throws {
        let result = try decode(BLETestVectors.bthomeAD)
        let reading = try #require(result.reading)
        #expect(reading.format == .bthome)
        #expect(reading.value(.temperature) == 25.0)
        #expect(reading.value(.humidity) == 50.55)
        #expect(reading.measurements.count == 2)
    }

    @Test("BTHome objects: signed, 24-bit, binary, event; decoding stops at an unknown id")
    func bthomeObjects() throws {
        // info 0x40; battery 97; temperature -3.5 (0x45, s16 x0.1 = -35); pressure 1013.25 hPa
        // (u24 101325); door open; button long press; then unknown id 0x70 and junk.
        let objects: [UInt8] = [0x40, 0x01, 97, 0x45, 0xDD, 0xFF, 0x04, 0xCD, 0x8B, 0x01, 0x1A, 1, 0x3A, 4, 0x70, 1, 2]
        let payload = ([0xD2, 0xFC] + objects)
        let ad = [UInt8(payload.count + 1), 0x16] + payload
        let reading = try #require(try decode(ad).reading)
        #expect(reading.value(.battery) == 97)
        #expect(reading.value(.temperature) == -3.5)
        #expect(reading.value(.pressure) == 1013.25)
        #expect(reading.value(.door) == 1)
        #expect(reading.measurements.last?.eventName == "long_press")
        #expect(reading.measurements.count == 5)
        #expect(reading.undecoded == [0x70, 1, 2])
    }

    @Test("BTHome: an object running past the end, or a version other than 2, is refused")
    func bthomeRefusals() throws {
        let truncated: [UInt8] = [0x06, 0x16, 0xD2, 0xFC, 0x40, 0x02, 0xC4]
        #expect(try decode(truncated).failure == .malformed)
        let version1: [UInt8] = [0x07, 0x16, 0xD2, 0xFC, 0x20, 0x02, 0xC4, 0x09]
        #expect(try decode(version1).failure == .unsupportedVersion)
    }

    @Test("encrypted BTHome decrypts with the device key (vector from Python's AESCCM)")
    func bthomeEncrypted() throws {
        let address = BLETestVectors.bthomeKeyAddress
        let result = try decode(BLETestVectors.bthomeEncryptedAD, address: address, key: BLETestVectors.bthomeKey)
        let reading = try #require(result.reading)
        #expect(reading.format == .bthomeEncrypted)
        #expect(reading.value(.temperature) == 25.0)
        #expect(reading.value(.humidity) == 50.55)
        #expect(result.counter == 0x0011_2233)
    }

    @Test("encrypted BTHome: no key, wrong key, other sender, flipped byte, replayed counter")
    func bthomeEncryptedRefusals() throws {
        let address = BLETestVectors.bthomeKeyAddress
        let ad = BLETestVectors.bthomeEncryptedAD
        #expect(try decode(ad, address: address).failure == .noKey)
        var wrongKey = BLETestVectors.bthomeKey
        wrongKey[0] ^= 1
        #expect(try decode(ad, address: address, key: wrongKey).failure == .authentication)
        // The nonce holds the MAC: the same bytes from another address do not authenticate.
        #expect(try decode(ad, address: anyAddress, key: BLETestVectors.bthomeKey).failure == .authentication)
        var flipped = ad
        flipped[6] ^= 0x80
        #expect(try decode(flipped, address: address, key: BLETestVectors.bthomeKey).failure == .authentication)
        #expect(try decode(ad, address: address, key: BLETestVectors.bthomeKey, counter: 0x0011_2233).failure == .replay)
        #expect(try decode(ad, address: address, key: BLETestVectors.bthomeKey, counter: 0x0011_2232).reading != nil)
    }

    @Test("AES-CCM seal and open round-trip through OpenSSL and match the Python vector")
    func aesCCMRoundTrip() throws {
        let nonce = BLETestVectors.bthomeKeyAddress.displayBytes + [0xD2, 0xFC, 0x41, 0x33, 0x22, 0x11, 0x00]
        let plain: [UInt8] = [0x02, 0xC4, 0x09, 0x03, 0xBF, 0x13]
        let sealed = try #require(AESCCM.seal(key: BLETestVectors.bthomeKey, nonce: nonce, plaintext: plain))
        // Python put ciphertext | counter | MIC in the service data after the info byte.
        let vector = BLETestVectors.bthomeEncryptedAD
        #expect(Array(sealed.prefix(6)) == Array(vector[5..<11]))
        #expect(Array(sealed.suffix(4)) == Array(vector.suffix(4)))
        #expect(AESCCM.open(key: BLETestVectors.bthomeKey, nonce: nonce, ciphertext: sealed.prefix(6)[...],
                            tag: sealed.suffix(4)[...]) == plain)
    }

    @Test("RuuviTag 5 reference vector: 24.3 degC, 53.49 %, 100044 Pa, 2.977 V, +4 dBm, movement 66, sequence 205")
    func ruuvi() throws {
        let reading = try #require(try decode(BLETestVectors.ruuviAD).reading)
        #expect(reading.format == .ruuvi5)
        #expect(reading.value(.temperature) == 24.3)
        #expect(reading.value(.humidity) == 53.49)
        #expect(reading.value(.pressure) == 1000.44)
        #expect(reading.value(.voltage) == 2.977)
        #expect(reading.value(.txPower) == 4)
        #expect(reading.value(.movementCounter) == 66)
        #expect(reading.value(.sequence) == 205)
        #expect(reading.value(.accelerationX) == 4)
        #expect(reading.value(.accelerationY) == -4)
        #expect(reading.value(.accelerationZ) == 1036)
    }

    @Test("RuuviTag: invalid markers are left out, other formats and lengths ignored")
    func ruuviInvalids() throws {
        var payload = BLETestVectors.ruuviPayload
        payload[1] = 0x80
        payload[2] = 0x00
        func ruuvi(_ payload: [UInt8]) throws -> SensorReading? {
            try decode([UInt8(3 + payload.count), 0xFF, 0x99, 0x04] + payload).reading
        }
        let reading = try #require(try ruuvi(payload))
        #expect(reading.value(.temperature) == nil)
        #expect(reading.value(.humidity) == 53.49)
        payload[0] = 3
        #expect(try ruuvi(payload) == nil)
        #expect(try ruuvi(Array(BLETestVectors.ruuviPayload.dropLast())) == nil)
    }

    @Test("ATC1441: big-endian temperature and millivolts, MAC in display order")
    func atc1441() throws {
        let reading = try #require(try decode(BLETestVectors.atcAD).reading)
        #expect(reading.format == .atc1441)
        #expect(reading.value(.temperature) == 23.4)
        #expect(reading.value(.humidity) == 45)
        #expect(reading.value(.battery) == 87)
        #expect(reading.value(.voltage) == 2.95)
        #expect(reading.value(.packetID) == 7)
        #expect(SensorDecoder.embeddedAddress(BLETestVectors.atcAD[4...]) == anyAddress)
    }

    @Test("pvvx: little-endian hundredths, MAC reversed")
    func pvvx() throws {
        let reading = try #require(try decode(BLETestVectors.pvvxAD).reading)
        #expect(reading.format == .pvvx)
        #expect(reading.value(.temperature) == -5.12)
        #expect(reading.value(.humidity) == 61.23)
        #expect(reading.value(.voltage) == 3.001)
        #expect(reading.value(.battery) == 92)
        #expect(reading.value(.packetID) == 200)
        #expect(SensorDecoder.embeddedAddress(BLETestVectors.pvvxAD[4...]) == anyAddress)
    }

    @Test("AD parser: names, flags, tx power, UUID lists; unknown types skipped; zero length ends")
    func adStructures() throws {
        let ad: [UInt8] = [0x02, 0x01, 0x06, 0x05, 0x08, 0x53, 0x68, 0x6F, 0x72, 0x02, 0x0A, 0xF8, 0x05, 0x03, 0x0D,
                           0x18, 0x0F, 0x18, 0x03, 0x2A, 0x01, 0x02, 0x00, 0x05, 0x09, 0x41]
        let data = try #require(AdvertisingData.parse(ad[...]))
        #expect(data.flags == 0x06)
        #expect(data.name == "Shor")
        #expect(data.txPower == -8)
        #expect(data.serviceUUIDs == [0x180D, 0x180F])
        let complete = try #require(AdvertisingData.parse(([0x05, 0x09] + Array("Full".utf8) + [0x03, 0x08, 0x41, 0x42])[...]))
        #expect(complete.name == "Full")
    }

    @Test("AD parser: a length past the end, or a structure too short for its type, is malformed")
    func adMalformed() {
        #expect(AdvertisingData.parse([0x05, 0x09, 0x41][...]) == nil)
        #expect(AdvertisingData.parse([0x02, 0x16, 0xD2][...]) == nil)
        #expect(AdvertisingData.parse([0x01, 0xFF][...]) == nil)
        #expect(AdvertisingData.parse([0x02, 0x03, 0x0D][...]) == nil)
        #expect(AdvertisingData.parse([][...]) != nil)
    }

    @Test("unknown devices: manufacturer and service data become hex in the published JSON")
    func unknownAsHex() throws {
        let ad: [UInt8] = [0x05, 0xFF, 0x4C, 0x00, 0x10, 0x05, 0x05, 0x16, 0xAA, 0xFE, 0x01, 0x02]
        let data = try #require(AdvertisingData.parse(ad[...]))
        #expect(SensorDecoder.decode(data, address: anyAddress, key: nil, lastCounter: nil).reading == nil)
        let device = BLEDevice(address: anyAddress, addressType: .random, seen: .init(nanoseconds: 0))
        device.lastData = ad
        device.rssi = -71
        let json = BLEDeviceJSON.reading(device, iotDeviceID: nil)
        #expect(json["manufacturer_data"]?["004c"]?.stringValue == "1005")
        #expect(json["service_data"]?["feaa"]?.stringValue == "0102")
        #expect(json["addr_type"]?.stringValue == "random")
        #expect(json["rssi"]?.intValue == -71)
        #expect(json["id"]?.stringValue == "A4:C1:38:01:02:03")
    }

    @Test("addresses parse in display form and print compact for topics")
    func addresses() {
        let address = BLEAddress("a4:c1:38:01:02:03")
        #expect(address?.text == "A4:C1:38:01:02:03")
        #expect(address?.compact == "A4C138010203")
        #expect(BLEAddress("A4C138010203") == address)
        #expect(BLEAddress(wire: [0x03, 0x02, 0x01, 0x38, 0xC1, 0xA4][...]) == address)
        for bad in ["", "A4:C1:38:01:02", "A4:C1:38:01:02:0G", "A4C1:38:01:02:03:", "A4:C1:38:01:02:03:04"] {
            #expect(BLEAddress(bad) == nil, "\(bad)")
        }
    }
}

@Suite("GATT values: Heart Rate Measurement and Battery Level")
struct GATTValueDecoderTests {
    @Test("u8 and u16 heart rate, energy skipped, RR intervals in 1/1024 s")
    func heartRate() throws {
        #expect(try #require(GATTValueDecoder.heartRate([0x00, 67][...])).value(.heartRate) == 67)
        let wide = try #require(GATTValueDecoder.heartRate([0x01, 0x2C, 0x01][...]))
        #expect(wide.value(.heartRate) == 300)
        // flags: energy present + RR present; energy 0x0102 skipped; RR 1024 -> 1 s, 512 -> 0.5 s.
        let full = try #require(GATTValueDecoder.heartRate([0x18, 72, 0x02, 0x01, 0x00, 0x04, 0x00, 0x02][...]))
        #expect(full.value(.heartRate) == 72)
        #expect(full.measurements.filter { $0.kind == .rrInterval }.map(\.value) == [1.0, 0.5])
    }

    @Test("values too short for their flags, odd RR bytes, batteries over 100 % are refused")
    func refusals() {
        #expect(GATTValueDecoder.heartRate([][...]) == nil)
        #expect(GATTValueDecoder.heartRate([0x01, 0x2C][...]) == nil)
        #expect(GATTValueDecoder.heartRate([0x08, 60, 0x01][...]) == nil)
        #expect(GATTValueDecoder.heartRate([0x10, 60, 0x01][...]) == nil)
        #expect(GATTValueDecoder.battery([22][...])?.value(.battery) == 22)
        #expect(GATTValueDecoder.battery([101][...]) == nil)
        #expect(GATTValueDecoder.battery([1, 2][...]) == nil)
    }
}
