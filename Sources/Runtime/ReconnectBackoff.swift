/// The one backoff of the firmware: every reconnect, reopen and retry waits by it.
///
/// Exponential: 1 s doubling to 60 s by default. With jitter (the default) each delay is
/// drawn uniformly from [delay/2, delay], so a fleet of gateways does not reconnect in
/// lockstep after a broker restart; without it the delays are exact (a local device that
/// only we talk to gains nothing from jitter, and its log lines stay predictable).
public struct ReconnectBackoff {
    public let initial: Interval
    public let maximum: Interval
    public let jitter: Bool
    /// Attempts that wait `initial` before the doubling starts (Skoda's cloud: 5 s ten times).
    public let steadyAttempts: Int
    public private(set) var attempt = 0
    private var random: () -> UInt64

    public init(
        initial: Interval = .seconds(1), maximum: Interval = .seconds(60), jitter: Bool = true,
        steadyAttempts: Int = 0,
        random: @escaping () -> UInt64 = { UInt64.random(in: 0...UInt64.max) }
    ) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self.steadyAttempts = steadyAttempts
        self.random = random
    }

    /// The ceiling for the current attempt, before jitter.
    public var ceiling: Interval {
        var delay = initial
        var step = steadyAttempts > 0 ? steadyAttempts - 1 : 0
        while step < attempt && delay < maximum {
            delay = delay * 2
            step += 1
        }
        return delay < maximum ? delay : maximum
    }

    /// The delay before the next attempt; each call counts an attempt.
    public mutating func nextDelay() -> Interval {
        let top = ceiling.nanoseconds
        let steady = attempt < steadyAttempts
        attempt += 1
        guard jitter && !steady else { return Interval(nanoseconds: top) }
        let half = top / 2
        return Interval(nanoseconds: half + Int64(random() % UInt64(half + 1)))
    }

    /// Back to the initial delay (after a successful connection).
    public mutating func reset() { attempt = 0 }
}
