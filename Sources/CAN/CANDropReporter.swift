import Runtime

/// Logs dropped input once per kind, then at most once per `interval` per kind with the
/// number suppressed meanwhile: a broken publisher sending thousands of bad payloads a
/// second must not flood the log (or the UART console mirroring it).
public final class CANDropReporter {
    public let interval: Interval
    private let limiter: LogLimiter
    /// The last line logged (for `can status` and tests).
    public var lastReport: String? { limiter.lastLine }

    /// A reporter writing to `log`, timing its limit by `clock`.
    public init(log: Logger, clock: TimeSource, interval: Interval = .seconds(60)) {
        self.interval = interval
        limiter = LogLimiter(log: log, clock: clock, interval: interval)
    }

    /// Reports one dropped input; `context` says where it came from (a topic, the bus).
    /// Returns whether a line was logged.
    @discardableResult
    public func report(_ malformation: CANMalformation, context: String) -> Bool {
        limiter.warning(malformation.kind.name, "dropped " + context + ": " + malformation.description)
    }
}
