/// Which invocations of a command the MQTT door runs without `cmnd.allow_privileged`.
///
/// Anyone who can publish to the broker can publish to `cmnd/<command>`, so over MQTT a
/// command runs only the forms its declaration opens: by default none. A command that only
/// reads says `.always`; one with subcommands lists its reading forms (`.readOnly(["", "status"])`);
/// `set`, `unset` and `save` decide per key in their handler. The console and authenticated
/// RPC run everything, and so does MQTT with `cmnd.allow_privileged` on. `CommandRegistry`
/// enforces this before the handler runs.
public enum CommandRemoteAccess: Equatable {
    /// Nothing over MQTT: every form may change state. The default.
    case denied
    /// Every form only reads (`status`, `help`, `get`).
    case always
    /// Only these forms: each a pattern of argument words separated by spaces, matched word by
    /// word against the whole invocation; `*` stands for any one word, a final `...` for any
    /// further words, and `""` for the command without arguments.
    case readOnly([String])
    /// Runs over MQTT; the handler itself refuses what the door may not do (`set` a key
    /// not declared remote-safe), using `CommandRequest.allowsPrivileged`. `rule` says which,
    /// for help.
    case decidedByHandler(rule: String)

    /// Whether `request`, from a door that does not trust its caller, may run.
    public func permits(_ request: CommandRequest) -> Bool {
        switch self {
        case .denied:
            return false
        case .always, .decidedByHandler:
            return true
        case .readOnly(let patterns):
            // Named parameters (JSON-RPC objects) can carry a subcommand where no pattern looks.
            if let parameters = request.parameters, !parameters.isEmpty { return false }
            for pattern in patterns where CommandRemoteAccess.matches(pattern, request.arguments) { return true }
            return false
        }
    }

    /// What help says of the command over MQTT: `MQTT: every form`, `MQTT: status, list`, ...
    public var summary: String {
        switch self {
        case .denied:
            return "MQTT: nothing without cmnd.allow_privileged"
        case .always:
            return "MQTT: every form"
        case .decidedByHandler(let rule):
            return "MQTT: " + rule
        case .readOnly(let patterns):
            var forms: [String] = []
            for pattern in patterns {
                let form = pattern.isEmpty ? "(no arguments)" : pattern
                if !forms.contains(form) { forms.append(form) }
            }
            return "MQTT: " + forms.joined(separator: ", ")
        }
    }

    /// Whether `arguments` are exactly the words of `pattern` (see `readOnly`).
    static func matches(_ pattern: String, _ arguments: [String]) -> Bool {
        let words = pattern.split(separator: " ")
        var index = 0
        for word in words {
            if word == "..." { return true }
            guard index < arguments.count, word == "*" || arguments[index] == word else { return false }
            index += 1
        }
        return index == arguments.count
    }
}
