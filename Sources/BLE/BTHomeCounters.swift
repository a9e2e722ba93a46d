import JSON

/// The last accepted counter of each encrypted BTHome device: what refuses a replayed advert.
///
/// Its own table, not a field of `BLEDevice`: the registry evicts devices when full and the
/// cache clear drops unseen ones, and neither may forget a counter (that reopened the replay).
/// Only adverts that authenticated under a configured key get here, so it holds at most the
/// keyed devices; it is still bounded to `capacity`. When full, the device whose counter was
/// accepted longest ago is forgotten (counted in `evictions`): adverts of it recorded before
/// could then be replayed once each, until its next genuine advert is accepted.
public struct BTHomeCounters: Equatable {
    /// Devices kept unless told otherwise.
    public static let defaultCapacity = 1024

    private struct Entry: Equatable {
        var counter: UInt32
        /// When the counter was accepted, as a sequence number (the eviction order).
        var accepted: UInt64
    }

    /// Devices kept at most.
    public let capacity: Int
    private var entries: [BLEAddress: Entry] = [:]
    private var sequence: UInt64 = 0
    /// Devices forgotten to make room.
    public private(set) var evictions = 0

    /// An empty table for at most `capacity` devices.
    public init(capacity: Int = BTHomeCounters.defaultCapacity) {
        precondition(capacity > 0, "BTHomeCounters: capacity must be positive")
        self.capacity = capacity
    }

    /// Devices with a counter.
    public var count: Int { entries.count }

    /// The last counter accepted from `address`.
    public subscript(address: BLEAddress) -> UInt32? { entries[address]?.counter }

    /// Remembers `counter` as the last accepted from `address`, evicting the longest-unused
    /// device when a new one finds the table full.
    public mutating func accept(_ counter: UInt32, from address: BLEAddress) {
        sequence += 1
        if entries[address] == nil && entries.count >= capacity {
            var oldest: (address: BLEAddress, accepted: UInt64)?
            for (candidate, entry) in entries where oldest == nil || entry.accepted < oldest!.accepted {
                oldest = (candidate, entry.accepted)
            }
            if let oldest {
                entries.removeValue(forKey: oldest.address)
                evictions += 1
            }
        }
        entries[address] = Entry(counter: counter, accepted: sequence)
    }

    // MARK: the file's form

    /// `{"counters": {"AA:BB:CC:DD:EE:FF": 1122867, ...}}`, sorted by address so an
    /// unchanged table writes the same bytes.
    public var json: JSONValue {
        var counters = JSONObject(minimumCapacity: entries.count)
        for address in entries.keys.sorted() { counters.append(address.text, .int(entries[address]!.counter)) }
        return ["counters": .object(counters)]
    }

    /// The table `document` holds, and how many of its entries were refused: an address that
    /// does not parse, or a counter that is not a whole number in 0...4294967295 (negative,
    /// fractional, huge, NaN and infinity included). A document without a `counters` object
    /// gives nil. Entries past `capacity` are refused too.
    public static func parse(_ document: JSONValue, capacity: Int = defaultCapacity) -> (counters: BTHomeCounters, refused: Int)? {
        guard let members = document["counters"]?.objectValue else { return nil }
        var table = BTHomeCounters(capacity: capacity)
        var refused = 0
        for (key, value) in members {
            guard let address = BLEAddress(key), let number = value.doubleValue, let counter = UInt32(exactly: number),
                  table.entries[address] == nil, table.count < capacity else {
                refused += 1
                continue
            }
            table.accept(counter, from: address)
        }
        return (table, refused)
    }
}
