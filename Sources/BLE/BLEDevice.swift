import Runtime

/// What the gateway knows of one device it has heard: a class so the registry updates it
/// in place on every advert without copying.
public final class BLEDevice {
    public let address: BLEAddress
    public var addressType: BLEAddressType
    public var name: String?
    public var rssi: Int8 = 0
    public var txPower: Int8?
    public let firstSeen: Instant
    public var lastSeen: Instant
    /// Adverts heard (scan responses included).
    public var adverts = 0
    /// The last decoded reading, and its format.
    public var reading: SensorReading?
    /// The raw advertising data of the last advert (for hex output of unknown devices).
    public var lastData: [UInt8] = []
    /// When it was last published; nil before the first time.
    public var lastPublished: Instant?
    /// Whether it counts as present (turned false after the presence timeout).
    public var isPresent = true
    /// Values already announced to Home Assistant: `kind.rawValue | occurrence << 8`.
    public var announced: Set<UInt16> = []
    // `address.text` and the publish topic, made on first use and kept: formatting them
    // again for every advert cost a good part of publishing one.
    private var text: String?
    var topic: String?

    /// `address.text`, formatted once.
    public var addressText: String {
        if let text { return text }
        let made = address.text
        text = made
        return made
    }

    public init(address: BLEAddress, addressType: BLEAddressType, seen: Instant) {
        self.address = address
        self.addressType = addressType
        firstSeen = seen
        lastSeen = seen
    }
}
