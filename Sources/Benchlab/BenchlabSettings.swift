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
        pollInterval = store.value(BenchlabConfigKeys.pollInterval)
        explicitPorts = store.value(BenchlabConfigKeys.ports)
        discoverByUSB = store.boolean(BenchlabConfigKeys.discover)
        rescanInterval = store.value(BenchlabConfigKeys.rescanInterval)
        topics = try BenchlabTopics(info: store.string(BenchlabConfigKeys.topicInfo),
                                    telemetry: store.string(BenchlabConfigKeys.topicTelemetry))
        retainInfo = store.boolean(BenchlabConfigKeys.retainInfo)
        qos = Int32(store.integer(StandardKeys.mqttQoS))
    }
}
