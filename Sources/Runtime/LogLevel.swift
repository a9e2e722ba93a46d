/// Log severities, lowest first. Names match Python's logging (the seeds' `LOG_LEVEL`).
public enum LogLevel: Int, Comparable, Sendable {
    case debug = 10
    case info = 20
    case warning = 30
    case error = 40
    case critical = 50

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The upper-case name, as Python prints it (`INFO`).
    public var name: String {
        switch self {
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .warning: return "WARNING"
        case .error: return "ERROR"
        case .critical: return "CRITICAL"
        }
    }

    /// Parses `debug`, `INFO`, `warn`, `warning`, ... (case-insensitive).
    public init?(name: String) {
        switch name.lowercased() {
        case "debug", "trace": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warning
        case "error": self = .error
        case "critical", "fatal": self = .critical
        default: return nil
        }
    }
}

/// How log lines look: plain text, or one JSON object per line with the Benchlab seed's
/// JsonFormatter keys `time`, `level`, `name`, `message`.
public enum LogFormat: Equatable, Sendable {
    case plain
    case json

    public init?(name: String) {
        switch name.lowercased() {
        case "plain", "text": self = .plain
        case "json": self = .json
        default: return nil
        }
    }
}
