@testable import BLE
import JSON
import Runtime
import Testing

/// The publish path writes each reading into a reused buffer (BLEDeviceJSON.write); what it
/// publishes must be byte for byte the JSON the tree path (`reading(...).serialized()`) gives,
/// for every advert of the corpus: decoded ones, undecoded objects, unknown devices' raw data.
@Suite("BLE reading JSON written into a reused buffer")
struct BLEDeviceJSONWriterTests {
    @Test("every corpus advert: the same bytes as the JSONValue path, with and without name, tx power, IoT id")
    func sameBytesAsTree() throws {
        let adverts = try BLECorpus.load()
        #expect(adverts.count > 100)
        var writer = JSONWriter(capacity: 16)
        var compared = 0
        for (index, advert) in adverts.enumerated() {
            guard let data = AdvertisingData.parse(advert.data[...]) else { continue }
            let device = BLEDevice(address: advert.address, addressType: index % 2 == 0 ? .public : .random,
                                   seen: Instant(nanoseconds: 0))
            device.rssi = Int8(truncatingIfNeeded: -40 - index % 60)
            if index % 3 == 0 { device.name = data.name ?? "sensor \"\(index)\"" }
            if index % 5 == 0 { device.txPower = Int8(truncatingIfNeeded: index % 20 - 10) }
            let result = SensorDecoder.decode(data, address: advert.address, key: BLECorpus.key, lastCounter: nil,
                                              bindkey: BLECorpus.key)
            if let reading = result.reading { device.reading = reading } else { device.lastData = advert.data }
            let iotID: String? = index % 4 == 0 ? "cd553938-8960-4e70-864a-a7fba06578c0" : nil
            BLEDeviceJSON.write(device, iotDeviceID: iotID, into: &writer)
            let tree = BLEDeviceJSON.reading(device, iotDeviceID: iotID).serialized()
            #expect(String(decoding: writer.bytes, as: UTF8.self) == tree, "\(advert.label)")
            compared += 1
        }
        #expect(compared > 100)
    }
}
