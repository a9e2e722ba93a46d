/// Where a client's connection stands.
public enum UplinkState: Equatable {
    case idle
    case connecting
    case connected
    case waitingToReconnect
    /// Not connected and not retrying until `resume()` (a cloud service fetching a token).
    case paused
    case stopping
    case stopped

    public var name: String {
        switch self {
        case .idle: return "idle"
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .waitingToReconnect: return "waiting to reconnect"
        case .paused: return "paused"
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
    /// Subscriptions the broker refused (SUBACK 0x80 and up; a broker ACL), once per SUBSCRIBE.
    public var refusedSubscriptions = 0
}
