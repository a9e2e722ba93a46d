/// A message that arrived from the broker.
public struct MQTTMessage {
    public let topic: String
    public let payload: [UInt8]
    public let qos: Int32
    public let retain: Bool

    /// The payload as UTF-8 text (invalid sequences become U+FFFD).
    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// Where a client's connection stands.
public enum UplinkState: Equatable {
    case idle
    case connecting
    case connected
    case waitingToReconnect
    case stopping
    case stopped

    public var name: String {
        switch self {
        case .idle: return "idle"
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .waitingToReconnect: return "waiting to reconnect"
        case .stopping: return "stopping"
        case .stopped: return "stopped"
        }
    }
}

/// Counters for the `state` topic and `mqtt status`.
public struct UplinkStats: Equatable {
    public var connects = 0
    public var disconnects = 0
    public var connectFailures = 0
    public var published = 0
    public var acknowledged = 0
    public var received = 0
    /// QoS 0 messages dropped because there was no connection (QoS 0 is at most once).
    public var droppedQoS0 = 0
    /// Messages libmosquitto refused (e.g. an invalid topic).
    public var rejected = 0
}

/// What happened to a message handed to `publish`.
public enum PublishOutcome: Equatable {
    /// Handed to libmosquitto (QoS 0: sent or queued on the socket; QoS 1/2: in flight).
    case sent
    /// Waiting in the outbox for a connection.
    case queued
    /// Dropped: QoS 0 without a connection, or refused (the reason says which).
    case dropped(String)
}
