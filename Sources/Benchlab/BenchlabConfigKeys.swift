import Runtime
import Store

/// The Benchlab service's settings (`benchlab.*`), listed for the schema by the service catalogue.
///
/// Over MQTT only the poll and rescan intervals may change (`.remoteSafe()`): never the ports
/// (the gateway would open and write to any device named), the discovery, the topics or
/// `benchlab.enabled`.
public enum BenchlabConfigKeys {
    public static let enabled = ConfigKey<Bool>.flag(
        "benchlab.enabled", default: false,
        help: "Whether to find Benchlab devices on serial ports and publish their readings.")
    public static let pollInterval = ConfigKey<Interval>.duration(
        "benchlab.poll_s", seconds: 1...3600, default: 1,
        help: "Seconds between readings of each Benchlab device.", environment: "MQTT_POLL_RATE").remoteSafe()
    public static let ports = ConfigKey<[String]>.list(
        "benchlab.ports",
        help: "Serial ports to use besides those found by USB ID, comma-separated (adapters that do not enumerate).")
    public static let discover = ConfigKey<Bool>.flag(
        "benchlab.discover", default: true,
        help: "Whether to look for Benchlab devices by their USB ID 0483:5740.")
    public static let rescanInterval = ConfigKey<Interval>.duration(
        "benchlab.rescan_s", seconds: 1...3600, default: 10,
        help: "Seconds between scans of the serial ports for plugged-in Benchlab devices.").remoteSafe()
    public static let topicInfo = ConfigKey<String>.topic(
        "benchlab.topic_info", default: "clients/client_uuid/links/link_uuid/benchlabs/{uid}/info",
        help: "Topic of a device's info message, published when its port opens; {uid} is the device UID.")
    public static let topicTelemetry = ConfigKey<String>.topic(
        "benchlab.topic_telemetry", default: "clients/client_uuid/links/link_uuid/benchlabs/{uid}/telemetry",
        help: "Topic of a device's readings, published every poll; {uid} is the device UID.")
    public static let retainInfo = ConfigKey<Bool>.flag(
        "benchlab.retain_info", default: false,
        help: "Whether the info message is retained by the broker (newer Benchlab tools retain it).")

    /// Every key above, for the schema.
    public static var all: [AnyConfigKey] {
        [enabled.any, pollInterval.any, ports.any, discover.any, rescanInterval.any, topicInfo.any,
         topicTelemetry.any, retainInfo.any]
    }
}
