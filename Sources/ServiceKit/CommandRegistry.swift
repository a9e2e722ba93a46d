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

    /// Runs `name` and hands its reply to `completion` exactly once, on the loop thread: before
    /// this returns for an immediate command, when the work is done for a deferred one. An
    /// unknown name gets a failure reply that points at `help`.
    public func execute(_ name: String, _ request: CommandRequest, completion: @escaping (CommandReply) -> Void) {
        guard let command = lookup(name) else {
            completion(.failure("unknown command \"\(name)\"; try \"help\" for the list"))
            return
        }
        switch command.body {
        case .immediate(let handler):
            completion(handler(request))
        case .deferred(let handler):
            let once = CommandAnswer(completion)
            handler(request) { reply in once.answer(reply) }
        }
    }

    /// Runs `name` for a caller that cannot wait: the reply if the command answered at once,
    /// else a failure saying the answer comes later (the work goes on regardless).
    public func execute(_ name: String, _ request: CommandRequest) -> CommandReply {
        var immediate: CommandReply? = nil
        execute(name, request) { reply in immediate = reply }
        return immediate ?? .failure("\"" + name + "\" answers later; ask through the console, MQTT or RPC to get its answer")
    }

    /// Whether command `name` may answer after `execute` returns (see `Command.answersLater`).
    public func answersLater(_ name: String) -> Bool { lookup(name)?.answersLater ?? false }

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
