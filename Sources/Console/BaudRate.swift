import CSupport

/// Maps a configured baud rate (`console.baud`) to the termios speed constant. Only the
/// standard rates a Raspberry Pi UART and USB serial adapters run: an unusual number is a
/// typo far more often than a wish, so it is refused rather than rounded.
public enum BaudRate {
    /// The rates `speed(for:)` accepts, lowest first.
    public static let supported: [Int] = [
        9_600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 500_000, 576_000, 921_600,
    ]

    /// `9600, 19200, ...` for error messages.
    public static var supportedList: String {
        var text = ""
        for (index, rate) in supported.enumerated() {
            if index > 0 { text += ", " }
            text += String(rate)
        }
        return text
    }

    /// The termios `speed_t` for `baud`, or nil when it is not a supported rate.
    static func speed(for baud: Int) -> speed_t? {
        // The B* constants are octal macros whose values differ from the rates themselves.
        let constant: Int32
        switch baud {
        case 9_600: constant = Int32(B9600)
        case 19_200: constant = Int32(B19200)
        case 38_400: constant = Int32(B38400)
        case 57_600: constant = Int32(B57600)
        case 115_200: constant = Int32(B115200)
        case 230_400: constant = Int32(B230400)
        case 460_800: constant = Int32(B460800)
        case 500_000: constant = Int32(B500000)
        case 576_000: constant = Int32(B576000)
        case 921_600: constant = Int32(B921600)
        default: return nil
        }
        return speed_t(constant)
    }
}
