import Runtime
import Store

/// The BLE service's settings (`ble.*`), listed for the schema by the service catalogue.
///
/// Over MQTT (without `cmnd.allow_privileged`) only the publishing knobs may change
/// (`.remoteSafe()`): scan window, publish interval, presence timeout, minimum RSSI. Never the
/// adapter, the mgmt socket, the pairing setup, the device filters the owner chose (allow,
/// deny, approved or decoded only), discovery, the registry's size, or `ble.enabled`.
public enum BLEConfigKeys {
    public static let enabled = ConfigKey<Bool>.flag(
        "ble.enabled", default: false,
        help: "Whether to scan for BLE devices, decode sensors and run the device manager (BCMS).",
        environment: "BCMS_ENABLED")
    public static let adapter = ConfigKey<String>.text(
        "ble.adapter", default: "hci0",
        help: "Adapter: a kernel adapter name (hci0, raw HCI socket, no bluetoothd) or the device path of an HCI UART controller (H4, e.g. /dev/ttyAMA0).")
    public static let uartBaud = ConfigKey<Int>.integer(
        "ble.uart_baud", in: 1200...4_000_000, default: 115_200,
        help: "Baud rate of an HCI UART controller (ble.adapter is a path).")
    public static let scanInterval = ConfigKey<Interval>.duration(
        "ble.scan_s", seconds: 1...600, default: 5,
        help: "Seconds per scan window: the watchdog, presence and registry checks run once a window.").remoteSafe()
    public static let extended = ConfigKey<Bool>.flag(
        "ble.extended", default: false,
        help: "Use the LE extended scan commands (Bluetooth 5 controllers: coded PHY, long adverts).")
    public static let commandTimeout = ConfigKey<Int>.integer(
        "ble.command_timeout_ms", in: 100...30_000, default: 2_000,
        help: "Milliseconds an HCI command may go unanswered before the scan is reset.")
    public static let watchdogWindows = ConfigKey<Int>.integer(
        "ble.watchdog_windows", in: 1...100, default: 3,
        help: "Scan windows without a single advert after which the scan is reset (the watchdog).")
    public static let publishInterval = ConfigKey<Int>.integer(
        "ble.publish_interval_s", in: 0...3600, default: 10,
        help: "Minimum seconds between two publishes of one device (0: every advert).").remoteSafe()
    public static let presenceTimeout = ConfigKey<Interval>.duration(
        "ble.presence_timeout_s", seconds: 5...86_400, default: 120,
        help: "Seconds unseen after which a device's presence turns to away.").remoteSafe()
    public static let allow = ConfigKey<[String]>.macs(
        "ble.allow", help: "If set, only these MAC addresses are tracked, comma-separated.")
    public static let deny = ConfigKey<[String]>.macs(
        "ble.deny", help: "MAC addresses never tracked, comma-separated.")
    public static let minRSSI = ConfigKey<Int>.integer(
        "ble.min_rssi", in: -127...20, default: -100,
        help: "Adverts weaker than this (dBm) are ignored.").remoteSafe()
    public static let approvedOnly = ConfigKey<Bool>.flag(
        "ble.approved_only", default: false,
        help: "Publish only approved devices (the registry still lists every device seen).")
    public static let decodedOnly = ConfigKey<Bool>.flag(
        "ble.decoded_only", default: false,
        help: "Publish only devices a decoder understands (no phones or trackers as hex).")
    public static let maxDevices = ConfigKey<Int>.integer(
        "ble.max_devices", in: 16...100_000, default: 4096,
        help: "Devices kept in the registry; when full the longest-unseen unapproved device is evicted.")
    public static let discovery = ConfigKey<Bool>.flag(
        "ble.discovery", default: true,
        help: "Announce decoded values of approved devices to Home Assistant (MQTT discovery).")
    public static let discoveryPrefix = ConfigKey<String>.topic(
        "ble.discovery_prefix", default: "homeassistant", help: "Home Assistant's discovery prefix.")
    public static let bthomeKeys = ConfigKey<String>.macKeys(
        "ble.bthome_keys", bytes: 16,
        help: "BTHome encryption keys: MAC=32 hex digits, comma-separated.", secret: true)
    public static let ioCapability = ConfigKey<BLEIOCapability>.choice(
        "ble.io_capability", default: .noInputNoOutput,
        help: "What the gateway offers when pairing (`bcms pair`): NoInputNoOutput pairs without a passkey (\"just works\").")
    public static let pairTimeout = ConfigKey<Interval>.duration(
        "ble.pair_timeout_s", seconds: 2...300, default: 40,
        help: "Seconds a pairing may take before it is cancelled and reported as failed (the bcms CLI waits longer).")
    public static let mgmtSocket = ConfigKey<String>.text(
        "ble.mgmt_socket", default: "",
        help: "Test and development only: a Unix SOCK_SEQPACKET socket speaking the kernel's mgmt packets (tools/mgmt-sim.py) used for pairing instead of the kernel's mgmt channel. Empty: the kernel's, for ble.adapter hciN.")

    public static let bindkeys = ConfigKey<String>.macKeys(
        "ble.bindkeys", bytes: 16,
        help: "Xiaomi MiBeacon bindkeys (encrypted LYWSD03MMC, CGG1, ... adverts): MAC=32 hex digits, comma-separated.",
        secret: true)

    // Records the service writes itself (see `ServiceDescriptor.storedKeys`).

    public static let mode = ConfigKey<BLEMode>.choice(
        "ble.mode", default: .passive,
        help: "Working mode: off, passive (adverts only) or active (active scan plus GATT). Set with `bcms set_mode`.")
    public static let approved = ConfigKey<[String]>.macUUIDs(
        "ble.approved",
        help: "Approved devices as MAC=IoT device id (the backend's UUID; empty until it is registered), comma-separated. Written by `bcms approve`/`remove`.")
    public static let pairingKeys = ConfigKey<String>.text(
        "ble.pairing_keys", default: "",
        help: "Written by `bcms pair`/`unpair`: the long term and identity resolving keys of paired devices, reloaded into the kernel at start. Unset it to forget every pairing.",
        secret: true)

    /// Keys whose change restarts the service.
    public static let capnp = ConfigKey<Bool>.flag(
        "ble.capnp", default: false,
        help: "Serve the original BCMS Cap'n Proto RPC on the RPC port beside JSON-RPC (no token, as the original: only when rpc.bind is loopback). bcms-daemon turns it on.",
        environment: "BCMS_CAPNP")

    public static var all: [AnyConfigKey] {
        [enabled.any, adapter.any, uartBaud.any, scanInterval.any, extended.any, commandTimeout.any,
         watchdogWindows.any, publishInterval.any, presenceTimeout.any, allow.any, deny.any, minRSSI.any,
         approvedOnly.any, decodedOnly.any, maxDevices.any, discovery.any, discoveryPrefix.any, bthomeKeys.any,
         ioCapability.any, pairTimeout.any, mgmtSocket.any, capnp.any, bindkeys.any]
    }

    /// Keys the service writes and applies itself.
    public static var records: [AnyConfigKey] { [mode.any, approved.any, pairingKeys.any] }
}
