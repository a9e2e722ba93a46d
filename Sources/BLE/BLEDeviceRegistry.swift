import Runtime

/// Every device heard, by address, bounded to `capacity`. Drop policy: when full, a new
/// device evicts the longest-unseen device that is not approved; when every device is
/// approved, the new one is refused. Both are counted.
public final class BLEDeviceRegistry {
    public let capacity: Int
    public private(set) var devices: [BLEAddress: BLEDevice] = [:]
    /// Devices evicted to make room.
    public private(set) var evictions = 0
    /// New devices refused because every slot held an approved device.
    public private(set) var refused = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "BLEDeviceRegistry: capacity must be positive")
        self.capacity = capacity
        devices.reserveCapacity(min(capacity, 1024))
    }

    public var count: Int { devices.count }

    public subscript(address: BLEAddress) -> BLEDevice? { devices[address] }

    /// The device at `address`, made if new; nil when the registry is full of approved devices.
    public func device(_ address: BLEAddress, type: BLEAddressType, now: Instant,
                       isApproved: (BLEAddress) -> Bool) -> BLEDevice? {
        if let device = devices[address] { return device }
        if devices.count >= capacity {
            var oldest: BLEDevice?
            for candidate in devices.values where !isApproved(candidate.address) {
                if oldest == nil || candidate.lastSeen < oldest!.lastSeen { oldest = candidate }
            }
            guard let oldest else {
                refused += 1
                return nil
            }
            devices.removeValue(forKey: oldest.address)
            evictions += 1
        }
        let device = BLEDevice(address: address, addressType: type, seen: now)
        devices[address] = device
        return device
    }

    /// Forgets `address`; true when it was there.
    @discardableResult
    public func remove(_ address: BLEAddress) -> Bool { devices.removeValue(forKey: address) != nil }

    /// Every device, ordered by address.
    public var sorted: [BLEDevice] { devices.values.sorted { $0.address < $1.address } }
}
