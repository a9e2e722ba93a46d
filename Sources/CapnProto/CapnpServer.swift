import Runtime

/// Serves Cap'n Proto two-party RPC on connections handed to it (`adopt`): another door
/// accepts them and passes on those that speak Cap'n Proto. Everything runs on the loop and
/// nothing blocks: reads and writes happen when the socket says so.
///
/// A connection is closed, and only that one, when its framing breaks the limits (too many
/// segments, a message over `limits.maxMessageWords`), when a message is malformed (a
/// pointer out of bounds, past the traversal or nesting limit), when it breaks the protocol,
/// when it does not read its answers (`outputLimit`), idles past `idleTimeout` or leaves a
/// message unfinished past `readTimeout`. Before closing for a bad message it is sent an
/// `Abort` saying why, as the reference implementation does.
public final class CapnpServer {
    public let limits: CapnpLimits
    public let maxConnections: Int
    public let outputLimit: Int
    public let idleTimeout: Interval
    public let readTimeout: Interval
    private let loop: EventLoop
    private let log: Logger
    private var connections: [CapnpConnection] = []
    private var timeoutTask: FixedRateTask?

    /// Connections served, refused (over `maxConnections`), and closed for a bad message
    /// (framing, encoding or protocol), for an oversized one, for not reading, for a timeout.
    public private(set) var connectionsServed = 0
    public private(set) var connectionsRefused = 0
    public private(set) var malformedMessages = 0
    public private(set) var oversizedMessages = 0
    public private(set) var slowClientsDropped = 0
    public private(set) var timedOutClients = 0
    /// Messages sent over all connections (answers, mostly).
    public private(set) var messagesSent = 0

    /// Clients connected now.
    public var clientCount: Int { connections.count }

    public init(loop: EventLoop, name: String = "capnp", limits: CapnpLimits = .standard, maxConnections: Int = 16,
                outputLimit: Int = 256 * 1024, idleTimeout: Interval = .seconds(300), readTimeout: Interval = .seconds(10)) {
        precondition(maxConnections > 0 && outputLimit > 0, "Cap'n Proto limits must be positive")
        self.loop = loop
        self.limits = limits
        self.maxConnections = maxConnections
        self.outputLimit = outputLimit
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
        log = Logger(name)
    }

    deinit { stop() }

    /// Closes every connection.
    public func stop() {
        timeoutTask?.cancel()
        timeoutTask = nil
        for connection in connections { connection.close() }
        connections = []
    }

    /// Takes over a connected, non-blocking socket whose first bytes (`initialBytes`) were
    /// already read by the door that accepted it; `bootstrap` is the capability it serves.
    public func adopt(_ fd: FileDescriptor, peer: String, initialBytes: [UInt8], bootstrap: CapnpInterface) {
        guard connections.count < maxConnections else {
            connectionsRefused += 1
            log.warning("Cap'n Proto client " + peer + " refused: " + String(maxConnections) + " connected")
            fd.close()
            return
        }
        if timeoutTask == nil {
            let check = min(idleTimeout, readTimeout)
            timeoutTask = loop.addTask("capnp-timeouts", every: check < .seconds(1) ? check : .seconds(1)) { [self] in
                self.dropTimedOut()
            }
        }
        connectionsServed += 1
        let session = CapnpRPCSession(bootstrap: bootstrap)
        let connection = CapnpConnection(fd: fd, peer: peer, limits: limits, session: session, outputLimit: outputLimit,
                                         now: loop.clock.now())
        // The cycle through this closure ends when the connection closes its session.
        session.send = { [self] bytes in self.send(bytes, to: connection) }
        connections.append(connection)
        log.debug("Cap'n Proto client connected: " + peer)
        connection.watch = loop.watch(fd, interest: .read) { [self] events in self.serve(connection, events) }
        if !initialBytes.isEmpty {
            initialBytes.withUnsafeBytes { received(connection, $0) }
            guard connection.isOpen else { return }
            settle(connection)
        }
    }

    private func serve(_ connection: CapnpConnection, _ events: IOEvents) {
        guard connection.isOpen else { return }
        if !events.intersection([.readable, .hangup, .error]).isEmpty {
            var chunk = [UInt8](repeating: 0, count: 4096)
            // A bounded number of reads per wake-up keeps one busy client from starving others.
            for _ in 0..<16 {
                let outcome = chunk.withUnsafeMutableBytes { raw -> Result<IOResult<Int>, RuntimeError> in
                    do throws(RuntimeError) { return .success(try connection.fd.read(into: raw)) } catch {
                        return .failure(error)
                    }
                }
                switch outcome {
                case .success(.wouldBlock): break
                case .success(.done(0)), .failure:
                    // The client left (or reset): answers still to come go nowhere.
                    return drop(connection)
                case .success(.done(let count)):
                    chunk[0..<count].withUnsafeBytes { received(connection, $0) }
                    guard connection.isOpen else { return }
                    continue
                }
                break
            }
        }
        settle(connection)
    }

    private func received(_ connection: CapnpConnection, _ bytes: UnsafeRawBufferPointer) {
        connection.assembler.feed(bytes)
        while connection.isOpen {
            do throws(CapnpError) {
                guard let message = try connection.assembler.next() else { break }
                connection.lastMessage = loop.clock.now()
                guard try connection.session.handle(message) else {
                    log.debug("Cap'n Proto client " + connection.peer + " aborted")
                    return drop(connection)
                }
            } catch {
                return refuse(connection, error)
            }
        }
        connection.partialSince = connection.assembler.hasPartialMessage ? (connection.partialSince ?? loop.clock.now()) : nil
    }

    /// Sends an Abort saying what was wrong (best effort) and closes the connection.
    private func refuse(_ connection: CapnpConnection, _ error: CapnpError) {
        switch error {
        case .messageTooLarge, .tooManySegments: oversizedMessages += 1
        default: malformedMessages += 1
        }
        log.warning("Cap'n Proto client " + connection.peer + " sent a bad message (" + error.description
                    + "); closing its connection")
        connection.session.close()
        connection.queue(CapnpRPC.abort(error.description))
        _ = connection.flush()
        drop(connection)
    }

    private func send(_ bytes: [UInt8], to connection: CapnpConnection) {
        guard connection.isOpen else { return }
        connection.queue(bytes)
        if connection.overflowed {
            // Make room by sending what the socket takes, then judge the client.
            guard connection.flush() else { return drop(connection) }
            slowClientsDropped += 1
            log.warning("Cap'n Proto client " + connection.peer + " is not reading its answers; disconnecting it")
            return drop(connection)
        }
        messagesSent += 1
        // An answer that came later (not while serving a read) must be written now.
        settle(connection)
    }

    /// Writes what waits and sets what the loop should wait for.
    private func settle(_ connection: CapnpConnection) {
        guard connection.isOpen else { return }
        guard connection.flush() else { return drop(connection) }
        connection.watch?.interest = connection.hasOutput ? [.read, .write] : .read
    }

    private func dropTimedOut() {
        let now = loop.clock.now()
        for connection in connections {
            let idle = now - connection.lastMessage >= idleTimeout
            let stalled = connection.partialSince.map { now - $0 >= readTimeout } ?? false
            guard idle || stalled else { continue }
            timedOutClients += 1
            log.info("Cap'n Proto client " + connection.peer + (stalled ? " left a message unfinished" : " was idle")
                     + " too long; disconnecting it")
            drop(connection)
        }
    }

    private func drop(_ connection: CapnpConnection) {
        connection.close()
        connections.removeAll { $0 === connection }
        let session = connection.session
        log.debug("Cap'n Proto client disconnected: " + connection.peer + " (" + String(session.callsAnswered) + " calls answered, "
                  + String(session.exceptionsSent) + " exceptions, " + String(session.pipelinedCalls) + " pipelined)")
    }
}
