import Runtime

/// How a tunnel forwards frames: its topics and side, what it publishes, how much it buffers.
public struct CANTunnelSettings: Equatable {
    public var topics: CANTopics
    /// Accept filters for frames from the bus (MQTT -> bus is not filtered).
    public var filter: CANFilter
    /// Publish a frame only when its id's flags or data changed.
    public var onlyChanges: Bool
    /// Ids "only on change" remembers at most.
    public var changeTableCapacity: Int
    /// Events between the reader thread and the loop (a power of two).
    public var ringCapacity: Int
    /// Never write to the bus: frames from MQTT are counted as dropped.
    public var listenOnly: Bool
    /// Send CAN FD frames from MQTT with the bit rate switch (the payload has no BRS bit).
    public var fdBitRateSwitch: Bool
    /// Ring events handled per loop pass before the loop gets to its other work.
    public var batchSize: Int
    /// How long frames from the bus may wait in the reader to be handed to the loop together
    /// (`can.batch_us`): fewer wake-ups per frame for at most this much added latency.
    public var batchWindow: Interval
    /// How long the first reopen after a failure waits; it doubles up to `maxReopenDelay`.
    public var reopenDelay: Interval
    public var maxReopenDelay: Interval
    /// QoS of frames published from the bus (`mqtt.qos`): at 1 the uplink's outbox keeps
    /// them through a broker outage, at 0 (PyMQTT2CAN's) they are dropped while it lasts.
    public var qos: Int32

    /// Events the ring holds by default: half a second of a saturated 1 Mbit/s bus.
    public static let defaultRingCapacity = 4096
    /// The default batch window in microseconds: half the 1 ms latency budget, so
    /// the loop's own pass and the broker fit in the other half.
    public static let defaultBatchMicroseconds = 500

    /// Settings with the defaults the issue names (ring 4,096, batches of 512, reopen after 1 s up to 30 s).
    public init(topics: CANTopics, filter: CANFilter = .acceptAll, onlyChanges: Bool = false,
                ringCapacity: Int = CANTunnelSettings.defaultRingCapacity, listenOnly: Bool = false,
                fdBitRateSwitch: Bool = false, qos: Int32 = 0,
                batchWindow: Interval = .microseconds(Int64(CANTunnelSettings.defaultBatchMicroseconds))) {
        self.topics = topics
        self.filter = filter
        self.onlyChanges = onlyChanges
        changeTableCapacity = 8192
        self.ringCapacity = ringCapacity
        self.listenOnly = listenOnly
        self.fdBitRateSwitch = fdBitRateSwitch
        batchSize = 512
        self.batchWindow = batchWindow
        reopenDelay = .seconds(1)
        maxReopenDelay = .seconds(30)
        self.qos = qos
    }

    /// Why these settings cannot work, or nil.
    public var problem: String? {
        if ringCapacity < 2 || ringCapacity & (ringCapacity - 1) != 0 {
            return "the CAN ring capacity must be a power of two (e.g. 4096), not " + String(ringCapacity)
        }
        if batchWindow < .zero || batchWindow > .milliseconds(100) {
            return "the CAN batch window must be 0 to 100,000 microseconds"
        }
        return nil
    }
}
