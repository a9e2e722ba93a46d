import Runtime

/// Exponential backoff with jitter for reconnects: 1 s doubling to 60 s, each delay drawn
/// uniformly from [delay/2, delay] so a fleet of gateways does not reconnect in lockstep
/// after a broker restart.
public struct ReconnectBackoff {
    public let initial: Interval
    public let maximum: Interval
    public private(set) var attempt = 0
    private var random: () -> UInt64

    public init(
        initial: Interval = .seconds(1), maximum: Interval = .seconds(60),
        random: @escaping () -> UInt64 = { UInt64.random(in: 0...UInt64.max) }
    ) {
        self.initial = initial
        self.maximum = maximum
        self.random = random
    }

    /// The ceiling for the current attempt, before jitter.
    public var ceiling: Interval {
        var delay = initial
        var step = 0
        while step < attempt && delay < maximum {
            delay = delay * 2
            step += 1
        }
        return delay < maximum ? delay : maximum
    }

    /// The delay before the next attempt; each call counts an attempt.
    public mutating func nextDelay() -> Interval {
        let top = ceiling.nanoseconds
        let half = top / 2
        let jitter = Int64(random() % UInt64(half + 1))
        attempt += 1
        return Interval(nanoseconds: half + jitter)
    }

    /// Back to the initial delay (after a successful connection).
    public mutating func reset() { attempt = 0 }
}
