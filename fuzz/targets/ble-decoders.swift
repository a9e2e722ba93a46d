// modules: BLE
// Every sensor decoder straight from bytes (no HCI framing in front, so the fuzzer reaches
// each format's corners): byte 0 picks a service data UUID or company id that some decoder
// claims, byte 1 a device name (the families told apart by name), the rest is the payload.
// The same bytes are also decoded as a whole advert. With a BTHome key and a bindkey, so the
// AES-CCM paths (BTHome v2, v1, MiBeacon, pvvx 0x181A) run. Nothing may trap; a reading and a failure
// never come together; every value has one published key, none twice; the JSON parses back.
import BLE
import JSON

let sources: [(service: Bool, id: UInt16)] = [
    (true, 0xFCD2), (true, 0x181C), (true, 0x181E), (true, 0xFE95), (true, 0xFDCD), (true, 0x181A),
    (true, 0xFD3D), (true, 0x0D00), (false, 0x0499), (false, 0xEC88), (false, 0x0001), (false, 0x8801),
    (false, 0x0000), (false, 0x0969), (false, 0x0702), (false, 0x0059), (false, 0x0010), (false, 0x001B), (false, 0x004C),
]
let names: [String?] = [nil, "GVH5102", "GVH5106", "sps", "TP357", "iBBQ"]

func check(_ data: AdvertisingData, name: String?) {
    let key: [UInt8] = [0x23, 0x1d, 0x39, 0xc1, 0xd7, 0xcc, 0x1a, 0xb1, 0xae, 0xe2, 0x24, 0xcd, 0x09, 0x6d, 0xb9, 0x32]
    let address = BLEAddress(rawValue: 0xA4C1_3801_0203)
    let result = SensorDecoder.decode(data, address: address, key: key, lastCounter: 5, name: name, bindkey: key)
    guard let reading = result.reading else { return }
    precondition(result.failure == nil, "a reading and a failure at once")
    if let counter = result.counter { precondition(counter > 5, "replay accepted") }
    let keys = reading.keys
    precondition(keys.count == reading.measurements.count, "a value without a key")
    precondition(Set(keys).count == keys.count, "a key published twice")
    var object = JSONObject(minimumCapacity: keys.count)
    for (index, measurement) in reading.measurements.enumerated() {
        if let text = measurement.textValue { object.append(keys[index], .string(text)) }
        else { object.append(keys[index], .number(measurement.value)) }
    }
    precondition((try? JSONValue.parse(Array(JSONValue.object(object).serialized().utf8))) != nil, "JSON that does not parse")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let advert = AdvertisingData.parse(bytes[...]) { check(advert, name: nil) }
    guard bytes.count >= 2 else { return 0 }
    let source = sources[Int(bytes[0]) % sources.count]
    let name = names[Int(bytes[1]) % names.count]
    var advert = AdvertisingData()
    let payload = bytes[2...]
    if source.service {
        advert.serviceData.append(.init(uuid: source.id, payload: payload))
    } else {
        advert.manufacturerData.append(.init(company: source.id, payload: payload))
    }
    check(advert, name: name)
    return 0
}
