import CSupport
import Runtime
import ServiceKit

/// The command registry as newline-delimited JSON-RPC 2.0 over TCP (`rpc.bind`:`rpc.port`),
/// so `nc` and any language can drive the gateway. Everything is non-blocking inside the
/// run loop: accept, read, and write only when the socket says so.
///
/// Limits keep one client from hurting the rest: a request line over `maxLineLength` bytes
/// gets an error reply and the rest of it is skipped; a client whose unread replies exceed
/// `outputLimit` is disconnected (it is not reading); beyond `maxClients` a new connection
/// gets one error line and is closed. A client that sends no request for `idleTimeout`, or
/// leaves a line unfinished for `readTimeout`, is disconnected, so idle or slow clients
/// cannot hold the slots. With a token, a client must `auth` first; three wrong tokens on
/// one connection close it.
///
/// A request whose command answers later (BLE pairing) gets its reply when the answer comes;
/// meanwhile nothing more is read from that connection, so its replies stay in request order
/// (and a client waiting for an answer is not idle). A client that leaves before its answer
/// loses it: the connection is closed, and nothing is written to it (nor to whatever reuses
/// its descriptor number later).
public final class RPCServer {
    public let bindAddress: String
    public let requestedPort: Int
    public let maxClients: Int
    public let maxLineLength: Int
    public let outputLimit: Int
    public let idleTimeout: Interval
    public let readTimeout: Interval
    /// Wrong tokens a connection may send before it is closed.
    public static let maxFailedAuthentications = 3

    private let loop: EventLoop
    private let dispatcher: JSONRPCDispatcher
    private let log = Logger("rpc")
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

    /// Clients connected now.
    public var clientCount: Int { connections.count }
    /// Requests that named a method, and error replies, so far.
    public var requests: Int { dispatcher.requests }
    public var errors: Int { dispatcher.errors }
    /// Replies replaced by an error because they would not fit `outputLimit`.
    public var oversizedReplies: Int { dispatcher.oversizedReplies }
    /// Whether clients must present the token.
    public var requiresToken: Bool { dispatcher.token != nil }

    /// `token` nil leaves the door open: only for a loopback bind the user opened on purpose.
    public init(
        registry: CommandRegistry, loop: EventLoop, bind: String = "127.0.0.1", port: Int = 4567,
        token: String? = nil, maxClients: Int = 16, maxLineLength: Int = 64 * 1024, outputLimit: Int = 256 * 1024,
        idleTimeout: Interval = .seconds(300), readTimeout: Interval = .seconds(10), maxPendingAnswers: Int = 8
    ) {
        precondition(maxClients > 0 && maxLineLength > 0 && outputLimit > 0, "RPC limits must be positive")
        self.bindAddress = bind
        self.requestedPort = port
        self.maxClients = maxClients
        self.maxLineLength = maxLineLength
        self.outputLimit = outputLimit
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
        self.loop = loop
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
        let check = min(idleTimeout, readTimeout)
        timeoutTask = loop.addTask("rpc-timeouts", every: check < .seconds(1) ? check : .seconds(1)) { [self] in
            self.dropTimedOut()
        }
        log.info("JSON-RPC listening on " + bindAddress + ":" + String(boundPort)
                 + (requiresToken ? " (clients authenticate with the token)" : " (no token: loopback only)"))
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
            let accepted: (fd: FileDescriptor, peer: String)?
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
            let connection = RPCConnection(fd: accepted.fd, peer: accepted.peer,
                                           maxLineLength: maxLineLength, outputLimit: outputLimit,
                                           session: dispatcher.newSession(), now: loop.clock.now())
            connection.watch = loop.watch(accepted.fd, interest: .read) { [self] events in
                self.serve(connection, events)
            }
            connections.append(connection)
            log.debug("RPC client connected: " + accepted.peer)
        }
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

    /// Closes clients that idle past `idleTimeout` or leave a line unfinished past `readTimeout`.
    private func dropTimedOut() {
        let now = loop.clock.now()
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
