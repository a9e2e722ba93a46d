import JSON

/// What a command answers: text for people, or JSON for programs. Every door renders it
/// its own way (console prints text, MQTT wraps it in `{cmd, ok, output}`, RPC in `result`).
public enum CommandOutput: Equatable {
    case text(String)
    case json(JSONValue)

    /// The output as text (JSON compact-printed).
    public var text: String {
        switch self {
        case .text(let text): return text
        case .json(let value): return value.serialized()
        }
    }

    /// The output as a JSON value (text becomes a JSON string).
    public var json: JSONValue {
        switch self {
        case .text(let text): return .string(text)
        case .json(let value): return value
        }
    }
}

/// A command's answer: whether it worked, and its output or error message.
public struct CommandReply: Equatable {
    public var ok: Bool
    public var output: CommandOutput

    public init(ok: Bool, output: CommandOutput) {
        self.ok = ok
        self.output = output
    }

    public static func text(_ text: String) -> CommandReply { CommandReply(ok: true, output: .text(text)) }
    public static func json(_ value: JSONValue) -> CommandReply { CommandReply(ok: true, output: .json(value)) }
    /// A failure with a message that says what to do.
    public static func failure(_ message: String) -> CommandReply { CommandReply(ok: false, output: .text(message)) }
}
