/// The one rate-limited logger: a line per key at most once per `interval`, with the count
/// of lines held back meanwhile. A broken publisher sending thousands of bad payloads a
/// second, or a bus stuck in error, must not flood the log (or the UART console).
public final class LogLimiter {
    public let interval: Interval
    private let log: Logger
    private let clock: TimeSource
    private var lastLogged: [String: Instant] = [:]
    private var suppressed: [String: Int] = [:]
    /// The last line written (for status commands and tests).
    public private(set) var lastLine: String?

    /// Writes to `log`, timing the limit by `clock`.
    public init(log: Logger, clock: TimeSource, interval: Interval = .seconds(60)) {
        self.log = log
        self.clock = clock
        self.interval = interval
    }

    /// Logs `message` at `level` unless a line of `key` went out less than `interval` ago.
    /// The first line of a key says that more are limited; later ones say how many were held
    /// back. Returns whether a line was written.
    @discardableResult
    public func log(_ level: LogLevel, key: String, _ message: () -> String) -> Bool {
        let now = clock.now()
        if let last = lastLogged[key], now - last < interval {
            suppressed[key, default: 0] += 1
            return false
        }
        var line = message()
        let held = suppressed[key] ?? 0
        if held > 0 {
            line += " (" + String(held) + " more of this kind since the last report)"
        } else if lastLogged[key] == nil {
            line += " (more of this kind are logged at most every " + String(interval.milliseconds / 1000) + " s)"
        }
        log.log(level, { line })
        lastLine = line
        lastLogged[key] = now
        suppressed[key] = 0
        return true
    }

    /// `log(.warning, ...)`.
    @discardableResult
    public func warning(_ key: String, _ message: @autoclosure () -> String) -> Bool {
        log(.warning, key: key, message)
    }

    /// Forgets every key, so the next line of each is written at once (after a restart).
    public func reset() {
        lastLogged.removeAll()
        suppressed.removeAll()
    }
}
