import Runtime

/// The one table of commands every door serves. The service host registers each service's.
///
/// It is also the one place where a door that does not trust its caller (MQTT without
/// `cmnd.allow_privileged`) is held to each command's `remote` declaration, before the
/// handler runs; every refusal is counted and logged (at most once a minute per command).
public final class CommandRegistry {
    public private(set) var commands: [Command] = []
    /// Invocations refused to an untrusted door (commands and keys it may not change).
    public private(set) var refusals = 0
    private let refusalLog = LogLimiter(log: Logger("commands"), clock: MonotonicClock())

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
        if !request.allowsPrivileged && !command.remote.permits(request) {
            completion(refuseUntrusted(command, request))
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

    /// Refuses `what` (a command form, `set KEY`) to the untrusted door `request` came
    /// through: counts it, logs it without any value (at most once a minute per `limitKey`,
    /// so a flood from the broker cannot flood the log) and returns `reply` as the failure.
    public func refuse(_ what: String, limitKey: String, _ request: CommandRequest, reply: String) -> CommandReply {
        refusals += 1
        refusalLog.warning(limitKey, "refused over " + request.origin.name + ": " + what
                           + " (needs the console, RPC or cmnd.allow_privileged)")
        return .failure(reply)
    }

    /// The refusal of a form `command.remote` does not open. Names the command and its first
    /// word only (shortened): the rest may be a value, and values are not logged.
    private func refuseUntrusted(_ command: Command, _ request: CommandRequest) -> CommandReply {
        var what = command.name
        if let first = request.argument(0) {
            what += " " + (first.utf8.count <= 32 ? first : String(decoding: Array(first.utf8.prefix(32)), as: UTF8.self) + "...")
        }
        let door = request.origin == .mqtt ? "MQTT" : request.origin.name
        return refuse(what, limitKey: command.name, request,
                      reply: "\"" + what + "\" may change state: over " + door + " it needs cmnd.allow_privileged "
                          + "(or use the console or RPC); " + command.remote.summary)
    }

    /// Whether command `name` may answer after `execute` returns (see `Command.answersLater`).
    public func answersLater(_ name: String) -> Bool { lookup(name)?.answersLater ?? false }

    /// `help` text: every command's synopsis and help, sorted by name, or one command's.
    public func helpText(for name: String? = nil) -> String {
        if let name {
            guard let command = lookup(name) else { return "unknown command \"\(name)\"; try \"help\" for the list" }
            return command.synopsis + "\n  " + command.help + "\n  " + command.remote.summary
        }
        var lines: [String] = []
        for command in commands.sorted(by: { $0.name < $1.name }) {
            var synopsis = command.synopsis
            while synopsis.utf8.count < 28 { synopsis += " " }
            let tag = command.remote == .denied ? "" : " [" + command.remote.summary + "]"
            lines.append(synopsis + " " + command.help + tag)
        }
        lines.append("Over MQTT only the [MQTT: ...] forms run; the rest need the console, RPC or cmnd.allow_privileged.")
        return lines.joined(separator: "\n")
    }
}
