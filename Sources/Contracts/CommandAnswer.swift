/// The one answer a deferred command owes the door that ran it. A second answer would
/// reach a door that already moved on (an RPC connection replying to the wrong request), so
/// it is a programmer error, caught here rather than as a confused client.
final class CommandAnswer {
    private let deliver: (CommandReply) -> Void
    private var answered = false

    init(_ deliver: @escaping (CommandReply) -> Void) { self.deliver = deliver }

    /// Hands `reply` to the door; only the first call may happen.
    func answer(_ reply: CommandReply) {
        precondition(!answered, "a deferred command answered twice")
        answered = true
        deliver(reply)
    }
}
