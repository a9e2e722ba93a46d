import JSON

/// The original's passive samples: adverts whose service data is keyed by one of five
/// 16-bit UUIDs become samples of the value's raw integer (or text), exactly as it reads
/// them: 0x2A37 `heart_rate` {rate: signed LE}, 0x2A6D `pressure` {level: unsigned LE},
/// 0x2A6E `temperature` {level: signed LE}, 0x180F `battery_level` {level: signed LE},
/// 0x2A46 `alert` {id: UTF-8 text}.
public enum PassiveServiceData {
    /// The integers are read into 64 bits: longer service data is no value and is dropped.
    static let maximumIntegerBytes = 8

    /// What one advert's service data gives: the samples and how many entries were dropped.
    public static func samples(_ data: AdvertisingData, iotDeviceID: String, timestamp: Int64) -> (samples: [IoTSample], dropped: Int) {
        var samples: [IoTSample] = []
        var dropped = 0
        for entry in data.serviceData {
            let field: (type: String, key: String, value: JSONValue?)
            switch entry.uuid {
            case 0x2A37: field = ("heart_rate", "rate", integer(entry.payload, signed: true))
            case 0x2A6D: field = ("pressure", "level", integer(entry.payload, signed: false))
            case 0x2A6E: field = ("temperature", "level", integer(entry.payload, signed: true))
            case 0x180F: field = ("battery_level", "level", integer(entry.payload, signed: true))
            case 0x2A46: field = ("alert", "id", text(entry.payload))
            default: continue
            }
            guard let value = field.value else {
                dropped += 1
                continue
            }
            samples.append(IoTSample(iotDeviceID: iotDeviceID, dataType: field.type, timestamp: timestamp, fields: [(field.key, value)]))
        }
        return (samples, dropped)
    }

    /// A little-endian integer of 1-8 bytes; nil for none or more.
    static func integer(_ bytes: ArraySlice<UInt8>, signed: Bool) -> JSONValue? {
        guard !bytes.isEmpty, bytes.count <= maximumIntegerBytes else { return nil }
        var value: UInt64 = 0
        for (index, byte) in bytes.enumerated() { value |= UInt64(byte) << UInt64(8 * index) }
        if signed {
            let shift = UInt64(64 - 8 * bytes.count)
            return .int(Int64(bitPattern: value << shift) >> Int64(shift))
        }
        // Past 2^53 a JSON number loses digits: such a value is no reading either.
        guard value < 1 << 53 else { return nil }
        return .int(value)
    }

    /// Valid UTF-8 text; nil otherwise.
    static func text(_ bytes: ArraySlice<UInt8>) -> JSONValue? {
        // Decoding replaces invalid sequences, so a round trip that changes the bytes was not UTF-8.
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.utf8.elementsEqual(bytes) else { return nil }
        return .string(text)
    }
}
