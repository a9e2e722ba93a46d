import Crypto
import Runtime
import Store

/// The BLE service's settings, read once from the store and checked: addresses parse,
/// keys are 16 bytes. A setting that cannot work is a `BLEError.invalidSetting`.
public struct BLESettings {
    public var adapter = "hci0"
    public var uartBaud = 115_200
    public var scanInterval: Interval = .seconds(5)
    public var scanner = HCIScanner.Settings()
    public var publishInterval: Interval = .seconds(10)
    public var presenceTimeout: Interval = .seconds(120)
    public var allow: Set<BLEAddress> = []
    public var deny: Set<BLEAddress> = []
    public var minRSSI = -100
    public var approvedOnly = false
    public var decodedOnly = false
    public var maxDevices = 4096
    public var discovery = true
    public var discoveryPrefix = "homeassistant"
    /// BTHome AES keys by device. Never logged or shown.
    public var bthomeKeys: [BLEAddress: [UInt8]] = [:]
    /// Xiaomi MiBeacon bindkeys by device. Never logged or shown.
    public var bindkeys: [BLEAddress: [UInt8]] = [:]
    public var mode: BLEMode = .passive
    /// Approved devices and the IoT device ids the backend gave them ("" until registered).
    public var approved: [BLEAddress: String] = [:]
    /// The IoT API submission.
    public var iot = IoTSettings()
    /// Pairing: the IO capability offered, how long a pairing may take, and a simulator's
    /// mgmt socket instead of the kernel's (tests).
    public var ioCapability: BLEIOCapability = .noInputNoOutput
    public var pairTimeout: Interval = .seconds(40)
    public var mgmtSocket = ""
    /// Keys of paired devices. Never logged or shown.
    var pairingKeys = BLEPairingKeys()

    public init() {}

    /// Reads and checks every `ble.*` key.
    public init(store: ConfigStore) throws(BLEError) {
        adapter = store.value(BLEConfigKeys.adapter)
        guard !adapter.isEmpty else { throw .invalidSetting(key: "ble.adapter", reason: "empty; use hci0 or a device path") }
        uartBaud = store.value(BLEConfigKeys.uartBaud)
        scanInterval = store.value(BLEConfigKeys.scanInterval)
        scanner.extended = store.value(BLEConfigKeys.extended)
        scanner.commandTimeout = .milliseconds(Int64(store.value(BLEConfigKeys.commandTimeout)))
        scanner.watchdogWindows = store.value(BLEConfigKeys.watchdogWindows)
        publishInterval = .seconds(Int64(store.value(BLEConfigKeys.publishInterval)))
        presenceTimeout = store.value(BLEConfigKeys.presenceTimeout)
        allow = try BLESettings.addresses(store.value(BLEConfigKeys.allow), key: "ble.allow")
        deny = try BLESettings.addresses(store.value(BLEConfigKeys.deny), key: "ble.deny")
        minRSSI = store.value(BLEConfigKeys.minRSSI)
        approvedOnly = store.value(BLEConfigKeys.approvedOnly)
        decodedOnly = store.value(BLEConfigKeys.decodedOnly)
        maxDevices = store.value(BLEConfigKeys.maxDevices)
        discovery = store.value(BLEConfigKeys.discovery)
        discoveryPrefix = store.value(BLEConfigKeys.discoveryPrefix)
        bthomeKeys = try BLESettings.keys(store.secretValue(BLEConfigKeys.bthomeKeys))
        bindkeys = try BLESettings.keys(store.secretValue(BLEConfigKeys.bindkeys), key: "ble.bindkeys")
        mode = store.value(BLEConfigKeys.mode)
        scanner.active = mode == .active
        approved = try BLESettings.approvals(store.value(BLEConfigKeys.approved))
        iot = try IoTSettings(store: store)
        ioCapability = store.value(BLEConfigKeys.ioCapability)
        pairTimeout = store.value(BLEConfigKeys.pairTimeout)
        mgmtSocket = store.value(BLEConfigKeys.mgmtSocket)
        pairingKeys = try BLEPairingKeys(text: store.secretValue(BLEConfigKeys.pairingKeys))
    }

    static func addresses(_ items: [String], key: String) throws(BLEError) -> Set<BLEAddress> {
        var set: Set<BLEAddress> = []
        for item in items {
            guard let address = BLEAddress(item) else {
                throw .invalidSetting(key: key, reason: "\"" + item + "\" is not a MAC address like AA:BB:CC:DD:EE:FF")
            }
            set.insert(address)
        }
        return set
    }

    /// `MAC=hex,...`; the reason never quotes a key.
    static func keys(_ text: String, key name: String = "ble.bthome_keys") throws(BLEError) -> [BLEAddress: [UInt8]] {
        var keys: [BLEAddress: [UInt8]] = [:]
        for item in ConfigKind.listItems(text) {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let address = BLEAddress(parts[0]) else {
                throw .invalidSetting(key: name, reason: "expected MAC=KEY items, comma-separated")
            }
            let bytes: [UInt8]
            do throws(CryptoError) { bytes = try Hex.decode(parts[1]) } catch {
                throw .invalidSetting(key: name, reason: "the key for " + address.text + " is not hex")
            }
            guard bytes.count == AESCCM.keyCount else {
                throw .invalidSetting(key: name, reason: "the key for " + address.text + " is not 32 hex digits")
            }
            keys[address] = bytes
        }
        return keys
    }

    /// `MAC=UUID,...`; `MAC=` is a device approved but not yet registered with the backend.
    static func approvals(_ items: [String]) throws(BLEError) -> [BLEAddress: String] {
        var approved: [BLEAddress: String] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let address = BLEAddress(parts[0]), parts[1].isEmpty || IoTDeviceID.isValid(parts[1]) else {
                throw .invalidSetting(key: "ble.approved", reason: "\"" + item + "\" is not MAC=UUID (or MAC= before registration)")
            }
            approved[address] = parts[1]
        }
        return approved
    }

    /// The `ble.approved` text for `approved`, sorted so the saved file does not churn.
    static func approvalsText(_ approved: [BLEAddress: String]) -> String {
        approved.keys.sorted().map { $0.text + "=" + approved[$0]! }.joined(separator: ",")
    }
}
