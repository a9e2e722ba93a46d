/// A command: the same name, arguments, help and handler on the UART console, MQTT
/// `cmnd/<name>` topics and the TCP JSON-RPC port.
public struct Command {
    /// One word, lower case (`status`, `benchlab`, `mqtt`).
    public let name: String
    /// The argument synopsis after the name, e.g. `KEY VALUE` or `status|reconnect`.
    public let usage: String
    /// One sentence a user understands.
    public let help: String
    /// Runs on the loop thread and must not block.
    public let handler: (CommandRequest) -> CommandReply

    public init(_ name: String, usage: String = "", help: String, handler: @escaping (CommandRequest) -> CommandReply) {
        self.name = name
        self.usage = usage
        self.help = help
        self.handler = handler
    }

    /// "name usage" for help listings.
    public var synopsis: String { usage.isEmpty ? name : name + " " + usage }
}
