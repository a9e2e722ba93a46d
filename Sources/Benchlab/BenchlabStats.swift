import JSON

/// Counters one device keeps, shown on the `state` topic and by `benchlab list`. Every byte
/// and frame the device drops is counted here under the reason it was dropped.
public struct BenchlabStats: Equatable {
    /// Times the port opened and the device identified itself.
    public var opens = 0
    /// Open or identification attempts that failed.
    public var openFailures = 0
    /// READ_SENSORS requests sent.
    public var polls = 0
    /// Telemetry messages handed to the uplink.
    public var published = 0
    /// Telemetry the uplink refused (QoS 0 while disconnected).
    public var publishDropped = 0
    /// Requests that got no byte back in time.
    public var timeouts = 0
    /// Replies that stopped short.
    public var shortReplies = 0
    /// Frames dropped as garbage: too long, or failing the plausibility checks.
    public var malformedFrames = 0
    /// Bytes nobody asked for (late replies, noise), discarded before the next request.
    public var staleBytes = 0
    /// Times the device went away while open.
    public var disconnects = 0
    /// Polls that came due while the previous reply was still awaited.
    public var skippedPolls = 0
    /// The latest failure, for people.
    public var lastError = ""

    /// All counters at zero.
    public init() {}

    /// The counters as a JSON object.
    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 12)
        object.append("opens", .int(opens))
        object.append("open_failures", .int(openFailures))
        object.append("polls", .int(polls))
        object.append("published", .int(published))
        object.append("publish_dropped", .int(publishDropped))
        object.append("timeouts", .int(timeouts))
        object.append("short_replies", .int(shortReplies))
        object.append("malformed_frames", .int(malformedFrames))
        object.append("stale_bytes", .int(staleBytes))
        object.append("disconnects", .int(disconnects))
        object.append("skipped_polls", .int(skippedPolls))
        object.append("last_error", .string(lastError))
        return .object(object)
    }
}
