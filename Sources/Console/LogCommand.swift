import Contracts
import JSON
import Runtime

/// `log [level [LEVEL]]`, `log format [plain|json]`: the running gateway's log settings.
/// Changes last until restart; the `log.level` and `log.format` settings keep them.
/// `log tail [N]`: the last N lines logged (20 unless given, at most what `LogTail` keeps).
enum LogCommand {
    private static let usage = "usage: log [level [debug|info|warning|error|critical]] | log format [plain|json]"
        + " | log tail [N]"
    /// Lines `log tail` shows without a count.
    static let defaultTailLines = 20

    static func register(in registry: CommandRegistry) {
        // Over MQTT only the reading forms: from the broker, `log level critical` would
        // silence the very warnings that report refused commands.
        registry.register(Command(
            "log", usage: "[level [LEVEL]|format [FORMAT]|tail [N]]",
            help: "Show the last N log lines, or show or change the log level and format until restart "
                + "(log.level keeps it).",
            remote: .readOnly(["", "level", "format", "tail", "tail *"])
        ) { request in run(request) })
    }

    private static func run(_ request: CommandRequest) -> CommandReply {
        let topic = request.argument(0) ?? request.parameter("level").map { _ in "level" }
            ?? request.parameter("format").map { _ in "format" } ?? request.parameter("tail").map { _ in "tail" }
        let value = request.argument(1) ?? request.parameter(topic ?? "")?.stringValue
        guard request.arguments.count <= 2 else { return .failure(usage) }
        switch topic {
        case nil:
            if request.origin == .console {
                return .text("level " + LogSettings.level.name + ", format " + formatName(LogSettings.format))
            }
            return .json(["level": .string(LogSettings.level.name), "format": .string(formatName(LogSettings.format))])
        case "level"?:
            guard let value else { return .text(LogSettings.level.name) }
            guard let level = LogLevel(name: value) else {
                return .failure("unknown log level \"" + value + "\": use debug, info, warning, error or critical")
            }
            LogSettings.level = level
            return .text("log level " + level.name + " (until restart; set log.level to keep it)")
        case "format"?:
            guard let value else { return .text(formatName(LogSettings.format)) }
            guard let format = LogFormat(name: value) else {
                return .failure("unknown log format \"" + value + "\": use plain or json")
            }
            LogSettings.format = format
            return .text("log format " + formatName(format) + " (until restart; set log.format to keep it)")
        case "tail"?:
            return tail(value, request: request)
        default:
            return .failure(usage)
        }
    }

    private static func tail(_ value: String?, request: CommandRequest) -> CommandReply {
        guard let kept = LogTail.shared else { return .failure("no log lines are kept in this process") }
        var count = defaultTailLines
        if let value {
            guard let number = Int(value), number > 0 && number <= kept.capacity else {
                return .failure("log tail N: a number of lines, 1 to " + String(kept.capacity))
            }
            count = number
        }
        let lines = kept.last(count)
        if request.origin == .console { return .text(lines.isEmpty ? "(nothing logged yet)" : lines.joined(separator: "\n")) }
        return .json(["lines": .array(lines.map { .string($0) })])
    }

    private static func formatName(_ format: LogFormat) -> String {
        format == .json ? "json" : "plain"
    }
}
