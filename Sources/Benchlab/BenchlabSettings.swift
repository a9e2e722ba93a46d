import Runtime
import Store

/// What the Benchlab service runs with: the config keys read once at start, plus timings
/// the protocol fixes (tests and benchmarks shorten them).
public struct BenchlabSettings {
    /// Seconds between READ_SENSORS of each device (`benchlab.poll_s`, `MQTT_POLL_RATE`).
    public var pollInterval: Interval = .seconds(1)
    /// Ports to use whatever their USB IDs (`benchlab.ports`).
    public var explicitPorts: [String] = []
    /// Whether to look for USB 0483:5740 ports (`benchlab.discover`).
    public var discoverByUSB = true
    /// Time between port scans (`benchlab.rescan_s`).
    public var rescanInterval: Interval = .seconds(10)
    public var topics: BenchlabTopics = .seed
    /// Whether `info` is retained (`benchlab.retain_info`).
    public var retainInfo = false
    /// QoS of every publish (`mqtt.qos`, `MQTT_QOS`).
    public var qos: Int32 = 0
    /// How long a reply may take to arrive in full: the reference waits ~50 ms, a USB round
    /// trip under load can take longer, and nothing blocks while we wait.
    public var replyTimeout: Interval = .milliseconds(250)
    /// How long to collect the unsolicited welcome after RTS rises before the first request.
    public var welcomeDrain: Interval = .milliseconds(100)
    /// First retry delay after a failure; doubles up to `retryMaximum`.
    public var retryInitial: Interval = .seconds(1)
    public var retryMaximum: Interval = .seconds(30)
    public var baudRate = 115_200

    /// The protocol's defaults with no ports configured.
    public init() {}

    /// The settings in `store`; the store's schema must hold `BenchlabConfigKeys.all`.
    public init(store: ConfigStore) throws(BenchlabError) {
        pollInterval = .seconds(Int64(store.integer(StandardKeys.benchlabPollSeconds)))
        explicitPorts = BenchlabSettings.portList(store.string(BenchlabConfigKeys.ports))
        discoverByUSB = store.boolean(BenchlabConfigKeys.discover)
        rescanInterval = .seconds(Int64(store.integer(BenchlabConfigKeys.rescanSeconds)))
        topics = try BenchlabTopics(info: store.string(BenchlabConfigKeys.topicInfo),
                                    telemetry: store.string(BenchlabConfigKeys.topicTelemetry))
        retainInfo = store.boolean(BenchlabConfigKeys.retainInfo)
        qos = Int32(store.integer(StandardKeys.mqttQoS))
    }

    /// The paths in a comma-separated list, spaces around them trimmed, empty entries and
    /// repeats dropped.
    public static func portList(_ text: String) -> [String] {
        var ports: [String] = []
        for part in text.split(separator: ",") {
            var bytes = Array(part.utf8)
            while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes.removeFirst() }
            while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
            let path = String(decoding: bytes, as: UTF8.self)
            if !path.isEmpty && !ports.contains(path) { ports.append(path) }
        }
        return ports
    }
}
