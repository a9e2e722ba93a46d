import Contracts
import CSupport
import Runtime

/// The command registry as newline-delimited JSON-RPC 2.0 over TCP (`rpc.bind`:`rpc.port`),
/// so `nc` and any language can drive the gateway. Everything is non-blocking inside the
/// run loop: accept, read, and write only when the socket says so.
///
/// Limits keep one client from hurting the rest: a request line over `maxLineLength` bytes
/// gets an error reply and the rest of it is skipped; a client whose unread replies exceed
/// `outputLimit` is disconnected (it is not reading); beyond `maxClients` a new connection
/// gets one error line and is closed. A client that sends no request for `idleTimeout`, or
/// leaves a line unfinished for `readTimeout`, is disconnected, so idle or slow clients
/// cannot hold the slots. With a token, a client must `auth` first, within `authTimeout` of
/// connecting whatever it sends meanwhile; three wrong tokens on one connection (in one
/// batch too) close it.
///
/// Local users the gateway trusts (`trustedUsers`: root and its own account, with
/// `rpc.allow_local`) need no token on a loopback connection: the kernel's socket table
/// says who owns the client's socket (SO_PEERCRED does not answer for TCP). Anyone else,
/// another local account included, needs the token. A connection whose first line is an
/// HTTP request line is closed unanswered: that is a browser, sent by some web page, and
/// the JSON in its request body must not run.
///
/// A request whose command answers later (BLE pairing) gets its reply when the answer comes;
/// meanwhile nothing more is read from that connection, so its replies stay in request order
/// (and a client waiting for an answer is not idle). A client that leaves before its answer
/// loses it: the connection is closed, and nothing is written to it (nor to whatever reuses
/// its descriptor number later).
///
/// A connection whose first byte is not text (a Cap'n Proto message starts with its segment
/// count minus one, a 0 byte for a single segment) goes to the command whose `streamDoor`
/// claims that byte, unread by JSON-RPC; with no claimant it is read as JSON-RPC (parse errors).
public final class RPCServer {
    public let bindAddress: String
    public let requestedPort: Int
    public let maxClients: Int
    public let maxLineLength: Int
    public let outputLimit: Int
    public let idleTimeout: Interval
    public let readTimeout: Interval
    public let authTimeout: Interval
    /// Users (uids) whose loopback connections need no token.
    public let trustedUsers: [UInt32]
    /// Wrong tokens a connection may send before it is closed.
    public static let maxFailedAuthentications = JSONRPCDispatcher.maxFailedAuthentications

    private let loop: EventLoop
    private let dispatcher: JSONRPCDispatcher
    private let log = Logger("rpc")
    private let notices: LogLimiter
    private var listener: FileDescriptor?
    private var listenWatch: IOWatch?
    private var connections: [RPCConnection] = []
    private var timeoutTask: FixedRateTask?

    /// The port actually listened on (the kernel's pick when asked for port 0); 0 until started.
    public private(set) var boundPort = 0
    /// Connections accepted and served.
    public private(set) var connectionsAccepted = 0
    /// Connections turned away because `maxClients` were connected.
    public private(set) var connectionsRefused = 0
    /// Clients disconnected because they did not read their replies.
    public private(set) var slowClientsDropped = 0
    /// Request lines that went over `maxLineLength`.
    public private(set) var overlongLines = 0
    /// Partial request lines lost when their client hung up mid-line.
    public private(set) var truncatedLines = 0
    /// Clients disconnected for idling or for a line left unfinished too long.
    public private(set) var timedOutClients = 0
    /// Clients disconnected after too many wrong tokens.
    public private(set) var authenticationDrops = 0
    /// Clients disconnected for not authenticating within `authTimeout`.
    public private(set) var authenticationTimeouts = 0
    /// Connections closed because their first line was an HTTP request (a browser).
    public private(set) var httpRequestsRefused = 0
    /// Loopback clients let in without the token because a trusted user owns them.
    public private(set) var trustedClients = 0
    /// Connections handed to a stream door (another protocol on this port).
    public private(set) var handedOver = 0

    /// Clients connected now.
    public var clientCount: Int { connections.count }
    /// Requests that named a method, and error replies, so far.
    public var requests: Int { dispatcher.requests }
    public var errors: Int { dispatcher.errors }
    /// Replies replaced by an error because they would not fit `outputLimit`.
    public var oversizedReplies: Int { dispatcher.oversizedReplies }
    /// Whether clients must present the token.
    public var requiresToken: Bool { dispatcher.token != nil }

    /// `token` nil leaves the door open to every client: only for tests and a loopback bind
    /// opened on purpose. `trustedUsers` opens it without the token to those users only.
    public init(
        registry: CommandRegistry, loop: EventLoop, bind: String = "127.0.0.1", port: Int = 4567,
        token: String? = nil, trustedUsers: [UInt32] = [], maxClients: Int = 16, maxLineLength: Int = 64 * 1024,
        outputLimit: Int = 256 * 1024, idleTimeout: Interval = .seconds(300), readTimeout: Interval = .seconds(10),
        authTimeout: Interval = .seconds(10), maxPendingAnswers: Int = 8
    ) {
        precondition(maxClients > 0 && maxLineLength > 0 && outputLimit > 0, "RPC limits must be positive")
        self.bindAddress = bind
        self.requestedPort = port
        self.maxClients = maxClients
        self.maxLineLength = maxLineLength
        self.outputLimit = outputLimit
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
        self.authTimeout = authTimeout
        self.trustedUsers = trustedUsers
        self.loop = loop
        notices = LogLimiter(log: log, clock: loop.clock)
        // A reply must fit the output buffer with its newline, or the client would be dropped
        // as a slow reader instead of being told.
        dispatcher = JSONRPCDispatcher(registry: registry, token: token, maxReplyBytes: outputLimit - 1,
                                       maxPendingAnswers: maxPendingAnswers)
    }

    deinit { stop() }

    /// Starts listening; `boundPort` then says where.
    public func start() throws(ConsoleError) {
        guard listener == nil else { return }
        let fd = try TCPSocket.listen(address: bindAddress, port: requestedPort, backlog: 16)
        listener = fd
        boundPort = TCPSocket.localPort(fd)
        listenWatch = loop.watch(fd, interest: .read) { [self] _ in self.acceptPending() }
        let check = min(idleTimeout, min(readTimeout, authTimeout))
        timeoutTask = loop.addTask("rpc-timeouts", every: check < .seconds(1) ? check : .seconds(1)) { [self] in
            self.dropTimedOut()
        }
        let access = !requiresToken ? " (no token: loopback only)"
            : trustedUsers.isEmpty ? " (clients authenticate with the token)"
            : " (local users " + trustedUsers.map { String($0) }.joined(separator: ", ")
                + " need no token; everyone else authenticates with it)"
        log.info("JSON-RPC listening on " + bindAddress + ":" + String(boundPort) + access)
    }

    /// Closes the listener and every client connection.
    public func stop() {
        timeoutTask?.cancel()
        timeoutTask = nil
        listenWatch?.cancel()
        listenWatch = nil
        listener?.close()
        listener = nil
        for connection in connections { connection.close() }
        connections = []
    }

    // MARK: accepting

    private func acceptPending() {
        guard let listener else { return }
        // A bounded batch per wake-up, so a connection storm cannot starve the other work.
        for _ in 0..<16 {
            let accepted: (fd: FileDescriptor, peer: TCPEndpoint)?
            do throws(RuntimeError) { accepted = try TCPSocket.accept(listener) } catch {
                acceptFailed(error)
                return
            }
            guard let accepted else { return }
            guard connections.count < maxClients else {
                refuse(accepted.fd)
                continue
            }
            connectionsAccepted += 1
            let trusted = isTrusted(accepted.fd, accepted.peer)
            let connection = RPCConnection(fd: accepted.fd, peer: accepted.peer.description,
                                           maxLineLength: maxLineLength, outputLimit: outputLimit,
                                           session: dispatcher.newSession(trusted: trusted), now: loop.clock.now())
            connection.isLoopbackPeer = accepted.peer.isLoopback
            connection.watch = loop.watch(accepted.fd, interest: .read) { [self] events in
                self.serve(connection, events)
            }
            connections.append(connection)
            log.debug("RPC client connected: " + accepted.peer.description)
        }
    }

    /// Whether a trusted user owns the client's end of a loopback connection. When the
    /// kernel cannot say, the client needs the token like anyone else.
    private func isTrusted(_ fd: FileDescriptor, _ peer: TCPEndpoint) -> Bool {
        guard requiresToken, !trustedUsers.isEmpty, peer.isLoopback else { return false }
        guard let owner = TCPSocket.peerOwner(fd) else {
            notices.warning("owner-unknown", "RPC cannot tell which user connected from " + peer.description
                            + " (no sock_diag in this kernel?); it needs the token")
            return false
        }
        guard trustedUsers.contains(owner) else {
            log.debug("RPC client " + peer.description + " belongs to uid " + String(owner) + ": it needs the token")
            return false
        }
        trustedClients += 1
        log.debug("RPC client " + peer.description + " belongs to uid " + String(owner) + ": no token needed")
        return true
    }

    /// Out of descriptors (EMFILE) would make the listener readable forever: pause
    /// accepting for a second instead of spinning. Other errors (a client that gave up
    /// before we accepted) are simply skipped.
    private func acceptFailed(_ error: RuntimeError) {
        guard case .system(_, let errno) = error, errno == Errno(EMFILE) || errno == Errno(ENFILE) else { return }
        log.warning("RPC cannot accept: " + error.description + "; pausing for a second")
        listenWatch?.interest = .none
        loop.after(.seconds(1)) { [self] in
            if self.listener != nil { self.listenWatch?.interest = .read }
        }
    }

    private func refuse(_ fd: FileDescriptor) {
        connectionsRefused += 1
        let line = Array((JSONRPCDispatcher.tooManyClientsReply(maxClients: maxClients) + "\n").utf8)
        // Best effort: a fresh socket's buffer takes one line; whatever happens, it closes.
        _ = line.withUnsafeBytes { bytes in try? TCPSocket.send(fd, bytes) }
        fd.close()
        if connectionsRefused == 1 || connectionsRefused % 100 == 0 {
            log.warning("RPC client refused: " + String(maxClients) + " clients connected ("
                        + String(connectionsRefused) + " refused so far)")
        }
    }

    // MARK: serving a client

    private func serve(_ connection: RPCConnection, _ events: IOEvents) {
        guard connection.isOpen else { return }
        // Waiting for an answer, not reading: a hang-up or error now means the client is gone.
        if connection.awaitingReply && !events.intersection([.hangup, .error]).isEmpty {
            return drop(connection)
        }
        if !connection.inputClosed && !connection.awaitingReply
            && !events.intersection([.readable, .hangup, .error]).isEmpty {
            readRequests(connection)
            guard connection.isOpen else { return }
        }
        guard connection.flush() else { return drop(connection) }
        // Done once the client stopped sending and has all its replies; a hang-up or error
        // with nothing left to read means the socket is finished either way.
        if connection.inputClosed && (connection.output.isEmpty || !events.intersection([.hangup, .error]).isEmpty) {
            return drop(connection)
        }
        connection.watch?.interest = connection.interest
    }

    private func readRequests(_ connection: RPCConnection) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        // A bounded number of reads per wake-up keeps one busy client from starving others.
        for _ in 0..<16 {
            let outcome = chunk.withUnsafeMutableBytes { raw -> Result<IOResult<Int>, RuntimeError> in
                do throws(RuntimeError) { return .success(try connection.fd.read(into: raw)) } catch {
                    return .failure(error)
                }
            }
            switch outcome {
            case .success(.wouldBlock):
                return
            case .success(.done(0)):
                connection.inputClosed = true
                if connection.assembler.hasPartialLine {
                    truncatedLines += 1
                    connection.assembler.reset()
                }
                return
            case .success(.done(let count)):
                if !connection.sawFirstLine && connection.firstBytes.isEmpty, let door = streamDoor(claiming: chunk[0]) {
                    return handOver(connection, to: door, initialBytes: Array(chunk[0..<count]))
                }
                if connection.firstBytes.count < RPCConnection.firstBytesKept {
                    connection.firstBytes += chunk[0..<min(count, RPCConnection.firstBytesKept - connection.firstBytes.count)]
                }
                chunk[0..<count].withUnsafeBytes { bytes in
                    connection.assembler.feed(bytes) { event in self.handle(event, from: connection) }
                }
                guard connection.isOpen else { return }
                if !connection.assembler.hasPartialLine {
                    connection.partialSince = nil
                } else if connection.partialSince == nil {
                    connection.partialSince = loop.clock.now()
                }
                // The rest waits in the socket until the awaited reply is sent.
                if connection.awaitingReply { return }
            case .failure(let error):
                // A reset connection: nothing to answer, nobody to tell.
                log.debug("RPC client " + connection.peer + ": " + error.description)
                return drop(connection)
            }
        }
    }

    private func handle(_ event: LineAssembler.Event, from connection: RPCConnection) {
        guard connection.isOpen else { return }
        if connection.awaitingReply {
            connection.heldEvents.append(event)
            return
        }
        if !connection.sawFirstLine {
            connection.sawFirstLine = true
            let http: Bool
            switch event {
            case .line(let line): http = HTTPRequestLine.matches(line)
            case .overlong: http = HTTPRequestLine.startsLikeOne(connection.firstBytes)
            }
            if http { return refuseHTTP(connection) }
        }
        switch event {
        case .line(let line):
            connection.lastRequest = loop.clock.now()
            connection.partialSince = nil
            connection.awaitingReply = true
            var later = false
            dispatcher.respond(to: line, session: connection.session) { [self] reply in
                connection.awaitingReply = false
                self.deliver(reply, to: connection)
                if later { self.resume(connection) }
            }
            later = connection.awaitingReply
        case .overlong:
            overlongLines += 1
            send(dispatcher.overlongLineReply(maxLength: maxLineLength), to: connection)
        }
    }

    /// The stream door of a registered command that claims a connection starting with `byte`.
    private func streamDoor(claiming byte: UInt8) -> ByteStreamDoor? {
        for command in dispatcher.registry.commands {
            if let door = command.streamDoor, door.claims(firstByte: byte) { return door }
        }
        return nil
    }

    /// Gives the connection to a stream door: JSON-RPC lets go of it without closing it.
    private func handOver(_ connection: RPCConnection, to door: ByteStreamDoor, initialBytes: [UInt8]) {
        handedOver += 1
        connection.release()
        connections.removeAll { $0 === connection }
        door.adopt(connection.fd, peer: connection.peer, isLoopback: connection.isLoopbackPeer, initialBytes: initialBytes)
    }

    /// Closes a connection that spoke HTTP: nothing of it runs, nothing is answered.
    private func refuseHTTP(_ connection: RPCConnection) {
        httpRequestsRefused += 1
        notices.warning("http", "RPC client " + connection.peer + " sent an HTTP request (a browser, sent there by a "
                        + "web page?); closed without running anything (" + String(httpRequestsRefused) + " so far)")
        drop(connection)
    }

    /// A request's reply, now or later; nothing is written to a connection closed meanwhile.
    private func deliver(_ reply: String?, to connection: RPCConnection) {
        guard connection.isOpen else { return }
        connection.lastRequest = loop.clock.now()
        if let reply { send(reply, to: connection) }
        if connection.isOpen && connection.session.failedAuthentications >= RPCServer.maxFailedAuthentications {
            authenticationDrops += 1
            log.warning("RPC client " + connection.peer + " sent " + String(RPCServer.maxFailedAuthentications)
                        + " wrong tokens; disconnecting it")
            _ = connection.flush()
            drop(connection)
        }
    }

    /// After a reply that came later: the lines that waited behind it run, the replies are
    /// sent, and reading goes on (or the connection ends, when the client had finished).
    private func resume(_ connection: RPCConnection) {
        while connection.isOpen && !connection.awaitingReply && !connection.heldEvents.isEmpty {
            handle(connection.heldEvents.removeFirst(), from: connection)
        }
        guard connection.isOpen else { return }
        guard connection.flush() else { return drop(connection) }
        if connection.inputClosed && connection.output.isEmpty && !connection.awaitingReply {
            return drop(connection)
        }
        connection.watch?.interest = connection.interest
    }

    private func send(_ reply: String, to connection: RPCConnection) {
        guard connection.isOpen else { return }
        let line = Array((reply + "\n").utf8)
        if connection.output.append(line) { return }
        // Full: make room by sending what the socket takes now, then judge the client.
        guard connection.flush() else { return drop(connection) }
        if connection.output.append(line) { return }
        slowClientsDropped += 1
        log.warning("RPC client " + connection.peer + " is not reading its replies (over "
                    + String(outputLimit) + " bytes waiting); disconnecting it")
        drop(connection)
    }

    /// Closes clients that idle past `idleTimeout`, leave a line unfinished past
    /// `readTimeout`, or have not authenticated within `authTimeout` of connecting.
    private func dropTimedOut() {
        let now = loop.clock.now()
        // Measured from the connection, not the last line: junk lines do not buy time.
        for connection in connections
        where !connection.session.authenticated && now - connection.connectedAt >= authTimeout {
            authenticationTimeouts += 1
            notices.warning("auth-timeout", "RPC client " + connection.peer + " did not authenticate within "
                            + String(authTimeout.milliseconds / 1000) + " s of connecting; disconnecting it ("
                            + String(authenticationTimeouts) + " so far)")
            drop(connection)
        }
        // A client waiting for an answer is not idle: the wait is ours.
        for connection in connections where !connection.awaitingReply {
            let idle = now - connection.lastRequest >= idleTimeout
            let stalled = connection.partialSince.map { now - $0 >= readTimeout } ?? false
            guard idle || stalled else { continue }
            timedOutClients += 1
            log.info("RPC client " + connection.peer + (stalled ? " left a request unfinished" : " was idle")
                     + " too long; disconnecting it")
            drop(connection)
        }
    }

    private func drop(_ connection: RPCConnection) {
        connection.close()
        connections.removeAll { $0 === connection }
        log.debug("RPC client disconnected: " + connection.peer)
    }
}
