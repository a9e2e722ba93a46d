import Runtime

/// A protocol other than JSON-RPC served on the RPC port: the port's door reads a new
/// connection's first bytes and hands the connection over to the stream door that claims
/// them (the BCMS Cap'n Proto door). A command carries it (`Command.streamDoor`), so the
/// service that owns the protocol offers it while it runs and the door names no service.
public protocol ByteStreamDoor: AnyObject {
    /// Whether a connection starting with `firstByte` speaks this protocol. JSON-RPC text
    /// starts with printable ASCII or whitespace; a claimant must claim none of those.
    func claims(firstByte: UInt8) -> Bool
    /// Takes over a connected, non-blocking socket: from now on it reads, writes and closes
    /// it. `initialBytes` were already read; `isLoopback` says whether the peer is local.
    func adopt(_ fd: FileDescriptor, peer: String, isLoopback: Bool, initialBytes: [UInt8])
}
