import Runtime

/// How long the supervisor waits before starting a gateway that ended on its own, without
/// processes: the restart backoff, and when a healthy report counts.
///
/// A healthy report alone proves little: a gateway can connect, report healthy, and crash a
/// second later on the first message it handles (issue 20: a JWT `exp` that trapped, 39
/// crashes in 40 s because every healthy report reset the backoff). So a run counts as
/// stable only once the child has stayed up `stable` after reporting healthy; a crash before
/// that grows the backoff like any other, and only a stable run starts it over.
public struct SlotRestartPacing {
    /// How long a child must stay up after reporting healthy (`ota.stable_s`, read again at
    /// each start).
    public var stable: Interval
    private var backoff: ReconnectBackoff
    private var healthyAt: Instant?

    /// Backoff from `initial` doubling to `maximum`, without jitter (one local child, and its
    /// log lines stay predictable).
    public init(stable: Interval, initial: Interval = .seconds(1), maximum: Interval = .seconds(60)) {
        self.stable = stable
        backoff = ReconnectBackoff(initial: initial, maximum: maximum, jitter: false)
    }

    /// A new child started: it has not reported healthy yet.
    public mutating func started() { healthyAt = nil }

    /// The child reported healthy at `now`.
    public mutating func reportedHealthy(at now: Instant) {
        if healthyAt == nil { healthyAt = now }
    }

    /// Whether the child has been healthy for `stable` at `now`.
    public func isStable(at now: Instant) -> Bool {
        guard let healthyAt else { return false }
        return now - healthyAt >= stable
    }

    /// The child ended on its own at `now`: the wait before starting the next one. After a
    /// stable run the backoff starts over; otherwise it grows.
    public mutating func delayAfterExit(at now: Instant) -> Interval {
        if isStable(at: now) { backoff.reset() }
        healthyAt = nil
        return backoff.nextDelay()
    }

    /// Starts the backoff over (after a rollback: the next slot is another firmware).
    public mutating func reset() {
        backoff.reset()
        healthyAt = nil
    }
}
