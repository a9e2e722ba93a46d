import Runtime

extension LogLevel: ConfigChoice {
    public static var configChoices: [LogLevel] { [.debug, .info, .warning, .error, .critical] }
    /// Lower case, as `log.level` and `LOG_LEVEL` take it.
    public var configName: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        case .critical: return "critical"
        }
    }
}

extension LogFormat: ConfigChoice {
    public static var configChoices: [LogFormat] { [.plain, .json] }
    public var configName: String { self == .json ? "json" : "plain" }
}
