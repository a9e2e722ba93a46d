import CSupport

/// Where a run loop gets the time. Class-bound so the firmware can hold it as an existential.
public protocol TimeSource: AnyObject {
    /// The current monotonic instant.
    func now() -> Instant
}

/// `CLOCK_MONOTONIC`: never jumps with NTP or a user setting the date.
public final class MonotonicClock: TimeSource {
    public init() {}

    public func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Instant(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}

/// A clock that moves only when told to: deterministic tests of fixed-rate scheduling.
public final class TestClock: TimeSource {
    public private(set) var current: Instant

    public init(start: Instant = Instant(nanoseconds: 1_000_000_000)) { current = start }

    public func now() -> Instant { current }

    /// Moves time forward by `interval`.
    public func advance(by interval: Interval) {
        precondition(interval >= .zero, "time only moves forward")
        current = current + interval
    }
}

/// Wall-clock time, for timestamps users read (logs, telemetry, CAN frames).
public enum WallClock {
    /// Microseconds since the Unix epoch.
    public static func microsecondsSinceEpoch() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }

    /// Milliseconds since the Unix epoch.
    public static func millisecondsSinceEpoch() -> Int64 { microsecondsSinceEpoch() / 1_000 }

    /// ISO 8601 UTC with milliseconds, e.g. `2026-11-21T09:30:00.123Z`.
    public static func iso8601(millisecondsSinceEpoch ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            var text = String(value)
            while text.count < width { text = "0" + text }
            return text
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2)
            + "T" + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
            + "." + pad(Int32(ms % 1000), 3) + "Z"
    }
}
