import Synchronization

/// Process-wide logging settings: one level, one format, one output descriptor.
///
/// Loggers run on every thread (bus readers, connect attempts), and `log level` changes the
/// level from the loop at any time: the three values sit in atomics, so a reader thread
/// never sees a torn or stale-forever value.
public enum LogSettings {
    private static let levelStorage = Atomic<Int>(LogLevel.info.rawValue)
    private static let jsonStorage = Atomic<Bool>(false)
    private static let outputStorage = Atomic<Int32>(FileDescriptor.standardError.rawValue)

    /// Lines below this level are not written.
    public static var level: LogLevel {
        get { LogLevel(rawValue: levelStorage.load(ordering: .relaxed)) ?? .info }
        set { levelStorage.store(newValue.rawValue, ordering: .relaxed) }
    }
    /// Plain text or JSON lines.
    public static var format: LogFormat {
        get { jsonStorage.load(ordering: .relaxed) ? .json : .plain }
        set { jsonStorage.store(newValue == .json, ordering: .relaxed) }
    }
    /// Where lines go: standard error, so standard output stays for command results.
    public static var output: FileDescriptor {
        get { FileDescriptor(outputStorage.load(ordering: .relaxed)) }
        set { outputStorage.store(newValue.rawValue, ordering: .relaxed) }
    }
    /// Called with every line written (tests capture them). Set it before any other thread
    /// starts and leave it: a closure cannot sit in an atomic.
    nonisolated(unsafe) public static var observer: ((String) -> Void)? = nil
}

/// A named logger. Cheap to create; every module keeps one per concern.
///
/// Never pass a secret to it: config values are masked by the Store before they get here.
public struct Logger: Sendable {
    public let name: String

    public init(_ name: String) { self.name = name }

    public func debug(_ message: @autoclosure () -> String) { log(.debug, message) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message) }
    public func critical(_ message: @autoclosure () -> String) { log(.critical, message) }

    /// Writes one line if `level` is enabled; the message is built only then.
    public func log(_ level: LogLevel, _ message: () -> String) {
        guard level >= LogSettings.level else { return }
        emit(level, message())
    }

    /// Formats and writes one enabled line. Out of line on purpose: the optimiser clones `log`
    /// for each call site with its message closure folded in (242 clones in the aarch64
    /// firmware), and without this split every clone carried its own copy of the formatting
    /// and writing below (256 KiB of firmware).
    @usableFromInline @inline(never)
    func emit(_ level: LogLevel, _ message: String) {
        let line = Logger.format(level: level, name: name, message: message,
                                 millisecondsSinceEpoch: WallClock.millisecondsSinceEpoch(),
                                 format: LogSettings.format)
        LogSettings.observer?(line)
        try? LogSettings.output.writeAll(line + "\n")
    }

    /// Renders one line (without the newline) in `format`.
    public static func format(
        level: LogLevel, name: String, message: String, millisecondsSinceEpoch: Int64, format: LogFormat
    ) -> String {
        let time = WallClock.iso8601(millisecondsSinceEpoch: millisecondsSinceEpoch)
        switch format {
        case .plain:
            return time + " " + level.name + " " + name + ": " + message
        case .json:
            return "{\"time\":\"" + time + "\",\"level\":\"" + level.name + "\",\"name\":\""
                + JSONStringEscape.escape(name) + "\",\"message\":\"" + JSONStringEscape.escape(message) + "\"}"
        }
    }
}

/// Escapes text for a JSON string literal. The Runtime sits below the JSON module (cJSON), so
/// log lines escape their four fields here rather than building a cJSON tree per line.
public enum JSONStringEscape {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00..<0x20:
                let hex: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
                out += "\\u00"
                out.append(hex[Int(scalar.value >> 4)])
                out.append(hex[Int(scalar.value & 0xF)])
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
