import CSupport
import Runtime

/// Picks the subcommand and turns its outcome into an exit status.
enum CommandDispatcher {
    /// Exit statuses: 0 success, 1 the command failed, 2 the command line was wrong.
    static func main(arguments: [String]) -> Int32 {
        guard let name = arguments.first else {
            Output.line(HelpText.overview)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        do throws(UsageError) {
            switch name {
            case "run": return try RunCommand.main(rest)
            case "selftest": return try SelftestCommand.main(rest)
            case "config": return try ConfigCommand.main(rest)
            case "version", "--version": return try VersionCommand.main(rest)
            case "can-tunnel": return try CANTunnelCommand.main(rest)
            case "ota": return try OTACommand.main(rest)
            case "supervise": return try SuperviseCommand.main(rest)
            case "help", "-h", "--help":
                if let topic = rest.first, let text = HelpText.forCommand(topic) {
                    Output.line(text)
                } else {
                    Output.line(HelpText.overview)
                }
                return 0
            default:
                Output.error("switchyard: unknown command \"\(name)\"; run `switchyard help` for the list")
                return 2
            }
        } catch {
            Output.error("switchyard \(name): \(error.message); run `switchyard \(name) --help`")
            return 2
        }
    }
}

/// Standard output for results, standard error for diagnostics.
enum Output {
    static func line(_ text: String) {
        try? FileDescriptor.standardOutput.writeAll(text + "\n")
    }

    static func error(_ text: String) {
        try? FileDescriptor.standardError.writeAll(text + "\n")
    }
}
