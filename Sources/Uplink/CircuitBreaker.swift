import Runtime

/// Stops hammering a broker that keeps failing: after `threshold` failures within `window`
/// the breaker opens for `cooldown`, and no connect is tried meanwhile (BMW's clients use
/// 10 failures in 60 s).
public struct CircuitBreaker {
    public let threshold: Int
    public let window: Interval
    public let cooldown: Interval
    private var failures: [Instant] = []
    public private(set) var openedAt: Instant?
    public private(set) var trips = 0

    public init(threshold: Int = 10, window: Interval = .seconds(60), cooldown: Interval = .seconds(300)) {
        self.threshold = threshold
        self.window = window
        self.cooldown = cooldown
    }

    /// Records a failure at `now`; returns true when this one opens the breaker.
    public mutating func recordFailure(at now: Instant) -> Bool {
        failures.removeAll { now - $0 > window }
        failures.append(now)
        // Bounded: only the last `threshold` failures can matter.
        if failures.count > threshold { failures.removeFirst(failures.count - threshold) }
        guard openedAt == nil, failures.count >= threshold else { return false }
        openedAt = now
        trips += 1
        return true
    }

    /// Whether connects are held off at `now`.
    public func isOpen(at now: Instant) -> Bool {
        guard let openedAt else { return false }
        return now - openedAt < cooldown
    }

    /// Closes after the cooldown or a success; the failure count starts again.
    public mutating func reset() {
        openedAt = nil
        failures.removeAll()
    }
}
