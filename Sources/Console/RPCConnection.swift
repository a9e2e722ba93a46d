import Runtime

/// One client of the RPC port: its socket, the request line being assembled, and replies
/// waiting to be sent. `RPCServer` drives it from the run loop.
final class RPCConnection {
    let fd: FileDescriptor
    /// `a.b.c.d:port`, for logs.
    let peer: String
    /// Whether the peer is on this machine (127.0.0.0/8), for a stream door taking it over.
    var isLoopbackPeer = false
    /// When it connected: it must authenticate within the server's `authTimeout` of this,
    /// whatever it sends meanwhile.
    let connectedAt: Instant
    /// Whether a line (or an over-long one) has come yet: the first is checked for HTTP.
    var sawFirstLine = false
    /// The first bytes it sent (up to `firstBytesKept`), to judge an over-long first line.
    var firstBytes: [UInt8] = []
    static let firstBytesKept = 32
    var assembler: LineAssembler
    var output: OutputBuffer
    var watch: IOWatch?
    /// The client shut down its sending side: answer what came in, then close.
    var inputClosed = false
    /// Whether it has authenticated, and how often it failed to.
    let session: JSONRPCDispatcher.Session
    /// A request's reply is still to come (a command that answers later): replies keep the
    /// order of requests, so nothing more is read or run until it is sent.
    var awaitingReply = false
    /// Lines read before the wait began, run once the reply is sent.
    var heldEvents: [LineAssembler.Event] = []
    /// When it last sent a complete request (or connected), and when its unfinished line
    /// started: the server's idle and read timeouts measure from these.
    var lastRequest: Instant
    var partialSince: Instant?
    private(set) var isOpen = true

    init(fd: FileDescriptor, peer: String, maxLineLength: Int, outputLimit: Int,
         session: JSONRPCDispatcher.Session, now: Instant) {
        self.fd = fd
        self.peer = peer
        self.session = session
        lastRequest = now
        connectedAt = now
        assembler = LineAssembler(maxLength: maxLineLength)
        output = OutputBuffer(capacity: outputLimit)
    }

    deinit { close() }

    /// What the loop should wait for: requests until the client stops sending (and not while
    /// a reply is awaited), and writability only while replies wait.
    var interest: IOInterest {
        var interest: IOInterest = inputClosed || awaitingReply ? .none : .read
        if !output.isEmpty { interest.insert(.write) }
        return interest
    }

    /// Sends waiting replies until the socket is full. Returns false when the client is gone.
    func flush() -> Bool {
        while !output.isEmpty {
            var failed = false
            let written = output.drain(limit: 64 * 1024) { bytes in
                do throws(RuntimeError) {
                    if case .done(let count) = try TCPSocket.send(fd, bytes) { return count }
                } catch { failed = true }
                return nil
            }
            if failed { return false }
            if written == 0 { return true }
        }
        return true
    }

    /// Gives up the socket without closing it: a stream door took the connection over.
    func release() {
        guard isOpen else { return }
        isOpen = false
        watch?.cancel()
        watch = nil
        output.removeAll()
    }

    /// Closes the socket and lets go of the watch (which holds this object in its handler).
    func close() {
        guard isOpen else { return }
        isOpen = false
        watch?.cancel()
        watch = nil
        output.removeAll()
        fd.close()
    }
}
