import Store

/// The Benchlab service's settings. `benchlab.poll_s` (env `MQTT_POLL_RATE`) is one of the
/// gateway's `StandardKeys`; the rest are registered by the gateway from `all`.
public enum BenchlabConfigKeys {
    public static let enabled = ConfigKey(
        "benchlab.enabled", .boolean, default: "false",
        help: "Whether to find Benchlab devices on serial ports and publish their readings.")
    public static let ports = ConfigKey(
        "benchlab.ports", .string, default: "",
        help: "Serial ports to use besides those found by USB ID, comma-separated (adapters that do not enumerate).")
    public static let discover = ConfigKey(
        "benchlab.discover", .boolean, default: "true",
        help: "Whether to look for Benchlab devices by their USB ID 0483:5740.")
    public static let rescanSeconds = ConfigKey(
        "benchlab.rescan_s", .integer(min: 1, max: 3600), default: "10",
        help: "Seconds between scans of the serial ports for plugged-in Benchlab devices.")
    public static let topicInfo = ConfigKey(
        "benchlab.topic_info", .string, default: "clients/client_uuid/links/link_uuid/benchlabs/{uid}/info",
        help: "Topic of a device's info message, published when its port opens; {uid} is the device UID.")
    public static let topicTelemetry = ConfigKey(
        "benchlab.topic_telemetry", .string, default: "clients/client_uuid/links/link_uuid/benchlabs/{uid}/telemetry",
        help: "Topic of a device's readings, published every poll; {uid} is the device UID.")
    public static let retainInfo = ConfigKey(
        "benchlab.retain_info", .boolean, default: "false",
        help: "Whether the info message is retained by the broker (newer Benchlab tools retain it).")

    /// Every key above, for `ConfigSchema.register`.
    public static var all: [ConfigKey] {
        [enabled, ports, discover, rescanSeconds, topicInfo, topicTelemetry, retainInfo]
    }
}
