/// Picks the decoders for an advert by its service data UUIDs and company ids, and runs
/// them: BTHome (v2, v1), MiBeacon and pvvx's encrypted 0x181A, which may be encrypted, first; then Qingping and the
/// fixed-layout families (`SensorFamilies`), whose values are joined (SwitchBot's Outdoor
/// Meter splits its values over two structures).
public enum SensorDecoder {
    /// What decoding one advert gave.
    public struct Result {
        /// The values, when a decoder understood the advert.
        public var reading: SensorReading?
        /// An encrypted advert's counter (BTHome, MiBeacon) to remember once the reading is accepted.
        public var counter: UInt32?
        /// Why an encrypted-capable advert was refused, when it was.
        public var failure: BTHomeDecoder.Failure?
    }

    /// Decodes `data` from `address` (called `name`, when known). `key` is the device's
    /// BTHome key, `bindkey` its Xiaomi bindkey, `lastCounter` the last counter accepted.
    /// An advert no decoder knows gives an empty result.
    public static func decode(_ data: AdvertisingData, address: BLEAddress, key: [UInt8]?,
                              lastCounter: UInt32?, name: String? = nil, bindkey: [UInt8]? = nil) -> Result {
        var result = Result()
        for entry in data.serviceData {
            let outcome: BTHomeDecoder.Outcome?
            switch entry.uuid {
            case BTHomeDecoder.uuid:
                outcome = BTHomeDecoder.decode(entry.payload, address: address, key: key, lastCounter: lastCounter)
            case BTHomeV1Decoder.plainUUID, BTHomeV1Decoder.encryptedUUID:
                outcome = BTHomeV1Decoder.decode(entry.payload, uuid: entry.uuid, address: address, key: key,
                                                 lastCounter: lastCounter)
            case MiBeaconDecoder.uuid:
                outcome = MiBeaconDecoder.decode(entry.payload, address: address, key: bindkey ?? key,
                                                 lastCounter: lastCounter)
            case PvvxEncryptedDecoder.uuid:
                outcome = PvvxEncryptedDecoder.decode(entry.payload, address: address, key: bindkey ?? key,
                                                      lastCounter: lastCounter)
            default:
                outcome = nil
            }
            switch outcome {
            case .reading(let reading, let counter)?:
                result.reading = reading
                result.counter = counter
                return result
            case .failed(let failure)?:
                result.failure = failure
                return result
            case nil:
                continue
            }
        }
        let fallbackName = name ?? data.name
        for entry in data.serviceData {
            if entry.uuid == QingpingDecoder.uuid, let reading = QingpingDecoder.decode(entry.payload) {
                join(reading, into: &result)
                continue
            }
            let bytes = FieldBytes(head: nil, body: entry.payload)
            for family in SensorFamilies.all {
                guard case .service(let uuid) = family.source, uuid == entry.uuid,
                      family.matches(bytes, name: fallbackName) else { continue }
                join(SensorReading(format: family.format, measurements: family.decode(bytes)), into: &result)
                break
            }
        }
        for entry in data.manufacturerData {
            let bytes = FieldBytes(head: entry.company, body: entry.payload)
            for family in SensorFamilies.all {
                guard case .manufacturer(let company) = family.source, company == nil || company == entry.company,
                      family.matches(bytes, name: fallbackName) else { continue }
                join(SensorReading(format: family.format, measurements: family.decode(bytes)), into: &result)
                break
            }
        }
        return result
    }

    /// Adds `reading`'s values to the result (the first format found names it).
    static func join(_ reading: SensorReading, into result: inout Result) {
        guard var joined = result.reading else {
            result.reading = reading
            return
        }
        joined.measurements += reading.measurements
        result.reading = joined
    }

    /// The MAC an atc1441 (display order) or pvvx (reversed; 15 bytes, 14 without flags) advert carries, for checking
    /// against the sender's address.
    public static func embeddedAddress(_ payload: ArraySlice<UInt8>) -> BLEAddress? {
        switch payload.count {
        case 13: return BLEAddress(display: payload.prefix(6))
        case 14, 15: return BLEAddress(wire: payload.prefix(6))
        default: return nil
        }
    }
}
