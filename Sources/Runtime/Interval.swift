/// A span of time in nanoseconds. The Runtime's own type because `Swift.Duration` is built on
/// 128-bit arithmetic the firmware does not need.
public struct Interval: Comparable, Hashable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func seconds(_ value: Int64) -> Interval { Interval(nanoseconds: value * 1_000_000_000) }
    public static func milliseconds(_ value: Int64) -> Interval { Interval(nanoseconds: value * 1_000_000) }
    public static func microseconds(_ value: Int64) -> Interval { Interval(nanoseconds: value * 1_000) }
    public static let zero = Interval(nanoseconds: 0)

    public var milliseconds: Int64 { nanoseconds / 1_000_000 }
    public var microseconds: Int64 { nanoseconds / 1_000 }

    public static func < (lhs: Interval, rhs: Interval) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    public static func + (lhs: Interval, rhs: Interval) -> Interval { Interval(nanoseconds: lhs.nanoseconds + rhs.nanoseconds) }
    public static func - (lhs: Interval, rhs: Interval) -> Interval { Interval(nanoseconds: lhs.nanoseconds - rhs.nanoseconds) }
    public static func * (lhs: Interval, rhs: Int64) -> Interval { Interval(nanoseconds: lhs.nanoseconds * rhs) }

    /// "1.234 ms"-style text with microsecond resolution, without floating point.
    public var millisecondsText: String {
        let micros = microseconds
        let whole = micros / 1000
        let fraction = (micros < 0 ? -micros : micros) % 1000
        var digits = String(fraction)
        while digits.count < 3 { digits = "0" + digits }
        return "\(whole).\(digits)"
    }
}

/// A point on a monotonic time line (nanoseconds since an arbitrary origin).
public struct Instant: Comparable, Hashable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    public static func + (lhs: Instant, rhs: Interval) -> Instant { Instant(nanoseconds: lhs.nanoseconds + rhs.nanoseconds) }
    public static func - (lhs: Instant, rhs: Interval) -> Instant { Instant(nanoseconds: lhs.nanoseconds - rhs.nanoseconds) }
    public static func - (lhs: Instant, rhs: Instant) -> Interval { Interval(nanoseconds: lhs.nanoseconds - rhs.nanoseconds) }
}
