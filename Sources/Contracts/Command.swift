/// A command: the same name, arguments, help and handler on the UART console, MQTT
/// `cmnd/<name>` topics and the TCP JSON-RPC port.
///
/// Most commands answer at once (`handler:`). A command whose work finishes later (BLE
/// pairing waits for the device) is `deferred:`: its handler gets an `answer` to call exactly
/// once, on the loop thread, now or when the work is done; every door waits for it.
///
/// `remote` declares which of its forms the MQTT door runs without `cmnd.allow_privileged`;
/// the default is none, so a new command that changes state is closed to the broker until
/// its author opens its reading forms.
public struct Command {
    /// How the command answers.
    enum Body {
        case immediate((CommandRequest) -> CommandReply)
        case deferred((CommandRequest, @escaping (CommandReply) -> Void) -> Void)
    }

    /// One word, lower case (`status`, `benchlab`, `mqtt`).
    public let name: String
    /// The argument synopsis after the name, e.g. `KEY VALUE` or `status|reconnect`.
    public let usage: String
    /// One sentence a user understands.
    public let help: String
    /// The forms anyone on the broker may run (see `CommandRemoteAccess`).
    public let remote: CommandRemoteAccess
    let body: Body
    /// Another protocol this command's owner serves on the RPC port (see `ByteStreamDoor`).
    public var streamDoor: ByteStreamDoor?

    /// A command that answers before its handler returns. The handler runs on the loop
    /// thread and must not block.
    public init(_ name: String, usage: String = "", help: String, remote: CommandRemoteAccess = .denied,
                handler: @escaping (CommandRequest) -> CommandReply) {
        self.name = name
        self.usage = usage
        self.help = help
        self.remote = remote
        body = .immediate(handler)
    }

    /// A command that may answer after its handler returns: the handler starts the work and
    /// calls `answer` exactly once, on the loop thread, when it is done (or at once). It must
    /// make sure an answer comes (a timeout of its own), because the door waits for it.
    public init(_ name: String, usage: String = "", help: String, remote: CommandRemoteAccess = .denied,
                deferred: @escaping (CommandRequest, @escaping (CommandReply) -> Void) -> Void) {
        self.name = name
        self.usage = usage
        self.help = help
        self.remote = remote
        body = .deferred(deferred)
    }

    /// Whether an answer may come after `execute` returns: the doors count such commands
    /// against their limit of answers they wait for.
    public var answersLater: Bool {
        if case .deferred = body { return true }
        return false
    }

    /// "name usage" for help listings.
    public var synopsis: String { usage.isEmpty ? name : name + " " + usage }
}
