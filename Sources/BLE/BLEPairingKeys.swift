import Store

/// The keys of paired devices, as the secret record `ble.pairing_keys` keeps them: long term
/// keys (one per device and role) and identity resolving keys (one per device), one item each,
/// comma-separated. Without bluetoothd nobody else keeps them, and the kernel forgets them when
/// the adapter goes away, so they are handed back with Load Long Term Keys / Load Identity
/// Resolving Keys at every start. Secret: never printed, logged or published.
struct BLEPairingKeys: Equatable {
    private(set) var longTermKeys: [MgmtLongTermKey] = []
    private(set) var identityKeys: [MgmtIdentityResolvingKey] = []

    init() {}

    /// The keys in `text`; the reason of a failure never quotes a key.
    init(text: String) throws(BLEError) {
        for (position, item) in ConfigKind.listItems(text).enumerated() {
            if let key = MgmtLongTermKey(record: item) {
                add(key)
            } else if let key = MgmtIdentityResolvingKey(record: item) {
                add(key)
            } else {
                throw .invalidSetting(key: "ble.pairing_keys", reason: "item " + String(position + 1)
                                      + " is not a stored key (written by `bcms pair`; unset the key to forget every pairing)")
            }
        }
    }

    /// The stored text, sorted so the saved file does not churn.
    var text: String {
        let ltks = longTermKeys.sorted { ($0.device.address, $0.central) < ($1.device.address, $1.central) }
        let irks = identityKeys.sorted { $0.device.address < $1.device.address }
        return (ltks.map { $0.record } + irks.map { $0.record }).joined(separator: ",")
    }

    /// Keeps `key`, replacing the device's key for the same role.
    mutating func add(_ key: MgmtLongTermKey) {
        longTermKeys.removeAll { key.replaces($0) }
        longTermKeys.append(key)
    }

    /// Keeps `key`, replacing the device's earlier one.
    mutating func add(_ key: MgmtIdentityResolvingKey) {
        identityKeys.removeAll { $0.device.address == key.device.address }
        identityKeys.append(key)
    }

    /// Forgets every key of `address`; true if there were any.
    mutating func remove(_ address: BLEAddress) -> Bool {
        let before = longTermKeys.count + identityKeys.count
        longTermKeys.removeAll { $0.device.address == address }
        identityKeys.removeAll { $0.device.address == address }
        return longTermKeys.count + identityKeys.count != before
    }

    /// Whether a long term key of `address` is kept: the device will encrypt without pairing again.
    func isPaired(_ address: BLEAddress) -> Bool {
        longTermKeys.contains { $0.device.address == address }
    }

    /// The device as its keys name it (identity address and mgmt type), if any are kept.
    func device(_ address: BLEAddress) -> MgmtAddress? {
        longTermKeys.first { $0.device.address == address }?.device
            ?? identityKeys.first { $0.device.address == address }?.device
    }

    /// How many devices have a long term key kept.
    var pairedCount: Int { Set(longTermKeys.map { $0.device.address }).count }
}
