import CSupport

/// The standard line speeds: the rates termios has a constant for (`B9600`, ...) that the
/// UARTs and USB adapters we drive run. The termios driver can set only these, and the
/// console accepts only these: an unusual number there is a typo far more often than a wish,
/// so it is refused rather than rounded. (libserialport can set other rates on its ports.)
public enum SerialBaudRate {
    /// Each rate with its termios constant, lowest first: one table for both the list and
    /// the mapping, so the two cannot drift apart. The constants are octal codes, not rates.
    private static let table: [(rate: Int, speed: speed_t)] = [
        (rate: 1_200, speed: speed_t(B1200)),
        (rate: 2_400, speed: speed_t(B2400)),
        (rate: 4_800, speed: speed_t(B4800)),
        (rate: 9_600, speed: speed_t(B9600)),
        (rate: 19_200, speed: speed_t(B19200)),
        (rate: 38_400, speed: speed_t(B38400)),
        (rate: 57_600, speed: speed_t(B57600)),
        (rate: 115_200, speed: speed_t(B115200)),
        (rate: 230_400, speed: speed_t(B230400)),
        (rate: 460_800, speed: speed_t(B460800)),
        (rate: 500_000, speed: speed_t(B500000)),
        (rate: 576_000, speed: speed_t(B576000)),
        (rate: 921_600, speed: speed_t(B921600)),
        (rate: 1_000_000, speed: speed_t(B1000000)),
        (rate: 1_500_000, speed: speed_t(B1500000)),
        (rate: 2_000_000, speed: speed_t(B2000000)),
        (rate: 3_000_000, speed: speed_t(B3000000)),
        (rate: 4_000_000, speed: speed_t(B4000000)),
    ]

    /// The standard rates, lowest first.
    public static var standard: [Int] { table.map { $0.rate } }

    /// Whether `baud` is one of the standard rates.
    public static func isStandard(_ baud: Int) -> Bool { termiosSpeed(for: baud) != nil }

    /// `1200, 2400, ...` for error messages that say what is allowed.
    public static var standardList: String {
        var text = ""
        for (index, entry) in table.enumerated() {
            if index > 0 { text += ", " }
            text += String(entry.rate)
        }
        return text
    }

    /// The termios `speed_t` for `baud`, or nil when it is not a standard rate.
    static func termiosSpeed(for baud: Int) -> speed_t? {
        for entry in table where entry.rate == baud { return entry.speed }
        return nil
    }
}
