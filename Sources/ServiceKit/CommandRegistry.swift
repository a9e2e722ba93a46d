/// The one table of commands every door serves. The service host registers each service's.
public final class CommandRegistry {
    public private(set) var commands: [Command] = []

    public init() {}

    /// Adds `command`; a second command with the same name is a programmer error.
    public func register(_ command: Command) {
        precondition(lookup(command.name) == nil, "command registered twice: " + command.name)
        commands.append(command)
    }

    /// Removes the command called `name` (a service being replaced by a new instance).
    public func unregister(_ name: String) {
        commands.removeAll { $0.name == name }
    }

    public func lookup(_ name: String) -> Command? {
        for command in commands where command.name == name { return command }
        return nil
    }

    /// Runs `name`; an unknown name gets a failure reply that points at `help`.
    public func execute(_ name: String, _ request: CommandRequest) -> CommandReply {
        guard let command = lookup(name) else {
            return .failure("unknown command \"\(name)\"; try \"help\" for the list")
        }
        return command.handler(request)
    }

    /// `help` text: every command's synopsis and help, sorted by name, or one command's.
    public func helpText(for name: String? = nil) -> String {
        if let name {
            guard let command = lookup(name) else { return "unknown command \"\(name)\"; try \"help\" for the list" }
            return command.synopsis + "\n  " + command.help
        }
        var lines: [String] = []
        for command in commands.sorted(by: { $0.name < $1.name }) {
            var synopsis = command.synopsis
            while synopsis.utf8.count < 28 { synopsis += " " }
            lines.append(synopsis + " " + command.help)
        }
        return lines.joined(separator: "\n")
    }
}
