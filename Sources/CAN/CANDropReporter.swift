import Runtime

/// Logs dropped input once per kind, then at most once per `interval` per kind with the
/// number suppressed meanwhile: a broken publisher sending thousands of bad payloads a
/// second must not flood the log (or the UART console mirroring it).
public final class CANDropReporter {
    public let interval: Interval
    private let clock: TimeSource
    private let log: Logger
    private var lastLogged: [Instant?]
    private var suppressed: [Int]
    /// The last line logged (for `can status` and tests).
    public private(set) var lastReport: String?

    /// A reporter writing to `log`, timing its limit by `clock`.
    public init(log: Logger, clock: TimeSource, interval: Interval = .seconds(60)) {
        self.log = log
        self.clock = clock
        self.interval = interval
        let kinds = CANMalformationKind.allCases.count
        lastLogged = [Instant?](repeating: nil, count: kinds)
        suppressed = [Int](repeating: 0, count: kinds)
    }

    /// Reports one dropped input; `context` says where it came from (a topic, the bus).
    /// Returns whether a line was logged.
    @discardableResult
    public func report(_ malformation: CANMalformation, context: String) -> Bool {
        let kind = malformation.kind.rawValue
        let now = clock.now()
        if let last = lastLogged[kind], now - last < interval {
            suppressed[kind] += 1
            return false
        }
        var line = "dropped " + context + ": " + malformation.description
        if suppressed[kind] > 0 {
            line += " (" + String(suppressed[kind]) + " more of this kind since the last report)"
        } else if lastLogged[kind] == nil {
            line += " (further drops of this kind are logged at most every " + String(interval.milliseconds / 1000) + " s)"
        }
        log.warning(line)
        lastReport = line
        lastLogged[kind] = now
        suppressed[kind] = 0
        return true
    }
}
