/// Picks the decoder for an advert by its service data UUID or company id, and runs it.
public enum SensorDecoder {
    /// What decoding one advert gave.
    public struct Result {
        /// The values, when a decoder understood the advert.
        public var reading: SensorReading?
        /// An encrypted BTHome counter to remember once the reading is accepted.
        public var counter: UInt32?
        /// Why a BTHome advert was refused, when it was.
        public var failure: BTHomeDecoder.Failure?
    }

    /// Decodes `data` from `address`; `key` and `lastCounter` are the device's BTHome key
    /// and last accepted counter. An advert no decoder knows gives an empty result.
    public static func decode(_ data: AdvertisingData, address: BLEAddress, key: [UInt8]?,
                              lastCounter: UInt32?) -> Result {
        var result = Result()
        for entry in data.serviceData {
            switch entry.uuid {
            case BTHomeDecoder.uuid:
                switch BTHomeDecoder.decode(entry.payload, address: address, key: key, lastCounter: lastCounter) {
                case .reading(let reading, let counter):
                    result.reading = reading
                    result.counter = counter
                case .failed(let failure):
                    result.failure = failure
                }
                return result
            case XiaomiCustomDecoder.uuid:
                if let reading = XiaomiCustomDecoder.decode(entry.payload) {
                    result.reading = reading
                    return result
                }
            default:
                continue
            }
        }
        for entry in data.manufacturerData where entry.company == RuuviDecoder.company {
            if let reading = RuuviDecoder.decode(entry.payload) {
                result.reading = reading
                return result
            }
        }
        return result
    }
}
