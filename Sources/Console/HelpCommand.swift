import Contracts
import JSON

/// `help [COMMAND]`: every command's synopsis and one line of help, or one command's. It
/// needs only the registry, so every door gets it the same way.
public enum HelpCommand {
    /// Adds `help` to `registry`.
    public static func register(in registry: CommandRegistry) {
        // The registry keeps the command and the command the registry: a cycle, but both
        // live as long as the gateway does.
        registry.register(Command("help", usage: "[COMMAND]", help: "List the commands, or explain one.",
                                  remote: .always) { request in
            let name = request.parameter("command")?.stringValue ?? request.argument(0)
            guard request.arguments.count <= 1 else { return .failure("usage: help [COMMAND]") }
            guard let name else { return .text(registry.helpText()) }
            guard registry.lookup(name) != nil else {
                return .failure("unknown command \"" + name + "\"; try \"help\" for the list")
            }
            return .text(registry.helpText(for: name))
        })
    }
}
