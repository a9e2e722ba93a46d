import CMicroHTTPD
import CSupport
import Runtime

/// The one Swift wrapper over libmicrohttpd: a daemon listening on one address, driven
/// entirely by our run loop. libmicrohttpd runs in its external-epoll mode: the loop
/// watches the daemon's epoll descriptor and calls `MHD_run` when it is readable or when
/// `MHD_get_timeout` says a connection timeout is due; libmicrohttpd starts no thread.
///
/// Every socket is non-blocking and libmicrohttpd writes only what a socket takes, so a slow
/// client costs its own buffers, never the loop's time. Limits: `maxClients` connections at
/// once (more are refused at accept, counted, unless a connection that has only been waiting
/// to send its headers can make room), 16 KiB of request per connection (bigger
/// headers are answered 431, bodies 413; an upload the handler takes streams to its sink
/// instead, never held whole), 30 s of silence closes a connection, and a
/// request's headers must be complete within `headerTimeout` of the connection opening (or
/// of the previous response on it ending), however slowly they trickle in.
final class HTTPDaemon {
    /// Where to listen, how many at once, and how long a client may take over its headers.
    struct Settings {
        var address: String
        var port: Int
        var maxClients: Int
        var headerTimeout: Interval = .seconds(10)
    }

    /// What the daemon counted (the service shows them in `state` and `/metrics`).
    struct Stats {
        var requests = 0
        /// Connections closed at accept because `maxClients` were open.
        var refusedClients = 0
        /// Requests refused before routing: a body too big or of unknown length (413), a body
        /// on a GET, or a method other than GET/HEAD/POST (405).
        var rejectedRequests = 0
        var eventStreamsOpened = 0
        /// Connections closed because a request's headers took longer than `headerTimeout`.
        var headerTimeouts = 0
        /// Connections still owing their headers, closed to let a new client in when all
        /// `maxClients` were taken.
        var waitingEvicted = 0
    }

    /// Bytes of request (headers included) one connection may use; bigger requests are
    /// answered with an error by libmicrohttpd. Also bounds a client's buffers.
    static let connectionMemoryLimit = 16 * 1024
    /// Seconds a connection may stay silent (idle keep-alive, a stuck slow reader).
    static let connectionTimeoutSeconds: UInt32 = 30

    let settings: Settings
    private let loop: EventLoop
    private var handler: HTTPRequestHandler?
    private var daemon: OpaquePointer?
    private var watch: IOWatch?
    private var timer: OneShotTimer?
    private(set) var streams: [HTTPEventStream] = []
    private(set) var openConnections = 0
    private(set) var stats = Stats()
    /// The port actually bound (differs from `settings.port` only when that was 0).
    private(set) var boundPort = 0
    /// Stream counters of streams already closed, so totals survive their streams.
    private var closedStreamsSent = 0
    private var closedStreamsSuperseded = 0
    /// Open connections waiting for a request's headers, and since when. libmicrohttpd's own
    /// timeout is reset by every byte received, so a client trickling a byte now and then
    /// would hold its slot forever; this deadline is not reset by anything but a request.
    private var awaitingHeaders: [OpaquePointer: Instant] = [:]
    /// No connection's header deadline falls before this (it may be early, never late), so
    /// the table is scanned only when one may have passed.
    private var nextHeaderDeadline: Instant?
    /// The bodies of POST requests still arriving, per connection (each at most `maxBody`).
    private var bodies: [OpaquePointer: [UInt8]] = [:]
    /// A POST body's limit: actions are a few words of JSON.
    static let maxBody = 4096
    /// Large POST bodies going to their sink as they arrive (the handler allowed each one,
    /// after checking who sends it, before any of its bytes were read).
    private var uploads: [OpaquePointer: HTTPUploadSink] = [:]
    /// A connection closed during the current `MHD_run`.
    private var closedDuringPass = false
    private let notices: LogLimiter

    init(settings: Settings, loop: EventLoop, handler: HTTPRequestHandler, log: Logger = Logger("web")) {
        self.settings = settings
        self.loop = loop
        self.handler = handler
        notices = LogLimiter(log: log, clock: loop.clock)
    }

    /// "127.0.0.1:8080", "[::]:8080".
    var endpoint: String {
        let host = settings.address.containsColon ? "[" + settings.address + "]" : settings.address
        return host + ":" + String(boundPort != 0 ? boundPort : settings.port)
    }

    // MARK: lifecycle

    /// Starts listening and registers the daemon's epoll descriptor with the loop.
    func start() throws(WebError) {
        precondition(daemon == nil, "HTTPDaemon started twice")
        let context = Unmanaged.passUnretained(self).toOpaque()
        let ipv6 = settings.address.containsColon
        var flags = MHD_USE_EPOLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
        if ipv6 { flags |= MHD_USE_IPv6.rawValue }
        let started = try HTTPDaemon.withSocketAddress(settings.address, port: settings.port) {
            address -> OpaquePointer? in
            sy_mhd_start(
                flags, address,
                // A backstop only: the accept policy below refuses (and counts) first.
                UInt32(settings.maxClients + 1), HTTPDaemon.connectionMemoryLimit,
                HTTPDaemon.connectionTimeoutSeconds,
                { context, _, _ in
                    Unmanaged<HTTPDaemon>.fromOpaque(context!).takeUnretainedValue().accept()
                },
                { context, connection, url, method, _, uploadData, uploadSize, requestContext in
                    Unmanaged<HTTPDaemon>.fromOpaque(context!).takeUnretainedValue()
                        .handle(connection!, url: url, method: method, uploadData: uploadData, uploadSize: uploadSize!,
                                requestContext: requestContext!)
                },
                { context, connection, _, event in
                    Unmanaged<HTTPDaemon>.fromOpaque(context!).takeUnretainedValue()
                        .connection(connection!, started: sy_mhd_connection_started(event) != 0)
                },
                { context, connection, _, _ in
                    Unmanaged<HTTPDaemon>.fromOpaque(context!).takeUnretainedValue().requestCompleted(connection!)
                },
                context)
        }
        guard let started else { throw .cannotListen(address: endpoint) }
        daemon = started
        let fd = sy_mhd_epoll_fd(started)
        guard fd >= 0 else {
            MHD_stop_daemon(started)
            daemon = nil
            throw .noEventDescriptor
        }
        boundPort = Int(sy_mhd_bound_port(started))
        watch = loop.watch(FileDescriptor(fd)) { [self] _ in self.run() }
        scheduleTimeout()
    }

    /// Ends every event stream, closes every connection and the listener.
    func stop() {
        guard let daemon else { return }
        // libmicrohttpd must not be stopped with suspended connections: end the streams,
        // which resumes them, and let one pass close them.
        for stream in streams { stream.close() }
        MHD_run(daemon)
        MHD_stop_daemon(daemon)
        self.daemon = nil
        watch?.cancel()
        watch = nil
        timer?.cancel()
        timer = nil
        streams.removeAll()
        for upload in uploads.values { upload.abandon() }
        uploads.removeAll()
        awaitingHeaders.removeAll()
        nextHeaderDeadline = nil
        handler = nil
    }

    /// One pass over the ready sockets, then the next timeout.
    private func run() {
        guard let daemon else { return }
        closeSlowHeaders()
        closedDuringPass = false
        MHD_run(daemon)
        // At its own connection limit (reached for a moment when a waiting connection is
        // closed to make room) libmicrohttpd stops watching its listening socket, and it
        // watches it again only at the start of a pass: after a close, one more pass, or a
        // client still in the backlog waits for some unrelated event.
        if closedDuringPass { MHD_run(daemon) }
        scheduleTimeout()
    }

    /// The earlier of libmicrohttpd's next timeout and the next header deadline.
    private func scheduleTimeout() {
        timer?.cancel()
        timer = nil
        guard let daemon else { return }
        var delay: Interval? = nil
        var milliseconds: UInt64 = 0
        if MHD_get_timeout(daemon, &milliseconds) == .YES {
            delay = .milliseconds(Int64(min(milliseconds, 60_000)))
        }
        if let deadline = nextHeaderDeadline {
            let untilDeadline = max(deadline - loop.clock.now(), .zero)
            delay = min(delay ?? untilDeadline, untilDeadline)
        }
        guard let delay else { return }
        timer = loop.after(delay) { [self] in
            self.timer = nil
            self.run()
        }
    }

    // MARK: header deadline

    /// Shuts down the socket of every connection whose request headers are overdue.
    /// libmicrohttpd has no call to close a connection from outside; a socket shut down
    /// under it reads as the end of the stream, and it closes the connection itself in the
    /// pass that follows (freeing the slot, telling `connection(_:started:)`).
    private func closeSlowHeaders() {
        guard let next = nextHeaderDeadline else { return }
        let now = loop.clock.now()
        guard now >= next else { return }
        var earliest: Instant? = nil
        var closed = 0
        for (connection, since) in awaitingHeaders {
            let deadline = since + settings.headerTimeout
            if deadline <= now {
                awaitingHeaders[connection] = nil
                let fd = sy_mhd_connection_fd(connection)
                if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
                closed += 1
            } else if earliest == nil || deadline < earliest! {
                earliest = deadline
            }
        }
        nextHeaderDeadline = earliest
        guard closed > 0 else { return }
        stats.headerTimeouts += closed
        notices.warning("header-timeout", "closed " + String(closed) + " connection" + (closed == 1 ? "" : "s")
                        + " that sent no complete request headers within "
                        + String(settings.headerTimeout.milliseconds / 1000) + " s ("
                        + String(stats.headerTimeouts) + " so far): slow clients or a slowloris attack")
    }

    /// From now on `connection` owes the headers of its next request.
    private func awaitHeaders(_ connection: OpaquePointer) {
        let now = loop.clock.now()
        awaitingHeaders[connection] = now
        let deadline = now + settings.headerTimeout
        if nextHeaderDeadline == nil || deadline < nextHeaderDeadline! { nextHeaderDeadline = deadline }
    }

    private func connection(_ connection: OpaquePointer, started: Bool) {
        openConnections += started ? 1 : -1
        if started {
            awaitHeaders(connection)
        } else {
            awaitingHeaders[connection] = nil
            bodies[connection] = nil
            uploads.removeValue(forKey: connection)?.abandon()
            closedDuringPass = true
        }
    }

    /// A request on `connection` ended (answered, or the client left): on a kept-alive
    /// connection the next one's headers are due within the deadline again.
    private func requestCompleted(_ connection: OpaquePointer) {
        bodies[connection] = nil
        // Still here: the client left before the end of its upload.
        uploads.removeValue(forKey: connection)?.abandon()
        awaitHeaders(connection)
    }

    // MARK: event streams

    /// Sends `event` to every open event stream (each keeps at most one waiting).
    func broadcast(_ event: EventBytes) {
        guard !streams.isEmpty else { return }
        for stream in streams { stream.push(event) }
        // In external-poll mode libmicrohttpd has no wake-up of its own for a resumed
        // connection: it must be run now, or the event waits for the next socket activity.
        run()
    }

    /// Events written completely, over all streams so far.
    var eventsSent: Int { streams.reduce(closedStreamsSent) { $0 + $1.sent } }
    /// Events replaced before a slow client took them, over all streams so far.
    var eventsSuperseded: Int { streams.reduce(closedStreamsSuperseded) { $0 + $1.superseded } }

    private func streamFinished(_ stream: HTTPEventStream) {
        closedStreamsSent += stream.sent
        closedStreamsSuperseded += stream.superseded
        streams.removeAll { $0 === stream }
    }

    // MARK: callbacks (inside MHD_run, on the loop thread)

    /// Full, a new client still gets in when some connection is only waiting to send its
    /// headers: the one that has waited longest is closed to make room. A page being
    /// served (an event stream) is never closed for it; a client owing its headers has
    /// nothing in flight, and under a slowloris flood it is the attacker's.
    private func accept() -> MHD_Result {
        guard openConnections >= settings.maxClients else { return .YES }
        var oldest: (connection: OpaquePointer, since: Instant)? = nil
        for (connection, since) in awaitingHeaders where oldest == nil || since < oldest!.since {
            oldest = (connection, since)
        }
        // One at a time: at its own limit (maxClients + 1) libmicrohttpd leaves the next
        // client in the backlog until the closed one is gone (see `run`).
        guard let oldest, openConnections == settings.maxClients else {
            stats.refusedClients += 1
            return .NO
        }
        awaitingHeaders[oldest.connection] = nil
        let fd = sy_mhd_connection_fd(oldest.connection)
        if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        stats.waitingEvicted += 1
        notices.warning("evicted", "all " + String(settings.maxClients) + " connections taken: closed the one "
                        + "waiting longest for its request headers to let a new client in ("
                        + String(stats.waitingEvicted) + " so far)")
        return .YES
    }

    private func handle(_ connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?,
                        uploadData: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>,
                        requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        let methodText = method.map { String(cString: $0) } ?? ""
        if requestContext.pointee == nil {
            // First call, headers read. Refuse what we never serve before any body arrives
            // (libmicrohttpd then closes the connection); otherwise answer on the next call.
            requestContext.pointee = UnsafeMutableRawPointer(bitPattern: 1)
            awaitingHeaders[connection] = nil
            stats.requests += 1
            if methodText == "POST" {
                let length = contentLength(connection)
                let chunked = MHD_lookup_connection_value(connection, .HEADER_KIND, "Transfer-Encoding") != nil
                // A path that takes a large body: the handler decides from the headers alone.
                if let length, !chunked,
                   let start = handler?.upload(makeRequest(connection, url: url, method: methodText, body: []), length: length) {
                    switch start {
                    case .accept(let sink):
                        uploads[connection] = sink
                        return .YES
                    case .refuse(let reply):
                        stats.rejectedRequests += 1
                        return answer(reply, on: connection)
                    }
                }
                // Only a body of a stated, small length: never chunked, never unbounded.
                guard let length, length <= HTTPDaemon.maxBody, !chunked else {
                    stats.rejectedRequests += 1
                    return queue(.text(413, "a POST body must state its length, at most "
                                       + String(HTTPDaemon.maxBody) + " bytes\n"), on: connection)
                }
                bodies[connection] = []
                return .YES
            }
            if methodText != "GET" && methodText != "HEAD" {
                stats.rejectedRequests += 1
                var response = HTTPResponse.text(405, "only GET, HEAD and POST are served here\n")
                response.headers.append(("Allow", "GET, HEAD, POST"))
                return queue(response, on: connection)
            }
            if hasBody(connection) {
                stats.rejectedRequests += 1
                return queue(.text(413, "requests with a body are not accepted\n"), on: connection)
            }
            return .YES
        }
        if let upload = uploads[connection] {
            if uploadSize.pointee > 0, let uploadData {
                let count = uploadSize.pointee
                uploadSize.pointee = 0
                upload.write(UnsafeRawBufferPointer(start: UnsafeRawPointer(uploadData), count: count))
                return .YES
            }
            uploads[connection] = nil
            return queue(upload.finish(), on: connection)
        }
        if uploadSize.pointee > 0 {
            // A part of a POST body: kept up to the length the headers promised.
            let count = uploadSize.pointee
            uploadSize.pointee = 0
            guard let uploadData, var body = bodies[connection], body.count + count <= HTTPDaemon.maxBody else { return .NO }
            uploadData.withMemoryRebound(to: UInt8.self, capacity: count) { body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count)) }
            bodies[connection] = body
            return .YES
        }
        let request = makeRequest(connection, url: url, method: methodText, body: bodies.removeValue(forKey: connection) ?? [])
        guard let handler else { return queue(.text(503, "stopping\n"), on: connection) }
        return answer(handler.respond(to: request), on: connection)
    }

    /// The request as the handler sees it.
    private func makeRequest(_ connection: OpaquePointer, url: UnsafePointer<CChar>?, method: String,
                         body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: method, path: url.map { String(cString: $0) } ?? "/",
                    credentials: credentials(connection), client: clientAddress(connection), body: body,
                    csrfToken: header(connection, "X-CSRF-Token"), confirmed: header(connection, "X-Confirm") == "yes")
    }

    private func answer(_ reply: HTTPReply, on connection: OpaquePointer) -> MHD_Result {
        switch reply {
        case .response(let response):
            return queue(response, on: connection)
        case .authenticate(let realm, let body):
            guard let response = makeResponse(body) else { return .NO }
            defer { MHD_destroy_response(response) }
            return MHD_queue_basic_auth_fail_response(connection, realm, response)
        case .eventStream(let first):
            return openStream(on: connection, first: first)
        }
    }

    /// The request's `Content-Length`, nil when absent or not a number.
    private func contentLength(_ connection: OpaquePointer) -> Int? {
        guard let text = header(connection, "Content-Length"), !text.isEmpty, text.utf8.count <= 9 else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// A request header's value, nil when absent.
    private func header(_ connection: OpaquePointer, _ name: String) -> String? {
        MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
    }

    private func hasBody(_ connection: OpaquePointer) -> Bool {
        if let length = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length"),
           String(cString: length) != "0" { return true }
        return MHD_lookup_connection_value(connection, .HEADER_KIND, "Transfer-Encoding") != nil
    }

    private func clientAddress(_ connection: OpaquePointer) -> ClientAddress {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBufferPointer { sy_mhd_client_address(connection, $0.baseAddress!) }
        return ClientAddress(bytes: Array(bytes.prefix(Int(count))))
    }

    private func credentials(_ connection: OpaquePointer) -> (user: String, password: String)? {
        var password: UnsafeMutablePointer<CChar>? = nil
        guard let user = MHD_basic_auth_get_username_password(connection, &password) else { return nil }
        defer {
            MHD_free(user)
            if let password { MHD_free(password) }
        }
        return (String(cString: user), password.map { String(cString: $0) } ?? "")
    }

    private func makeResponse(_ response: HTTPResponse) -> OpaquePointer? {
        let made = response.body.withUnsafeBytes { bytes in
            sy_mhd_response_copying(bytes.count, bytes.baseAddress)
        }
        guard let made else { return nil }
        _ = MHD_add_response_header(made, "Content-Type", response.contentType)
        for (name, value) in response.headers { _ = MHD_add_response_header(made, name, value) }
        return made
    }

    private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        guard let made = makeResponse(response) else { return .NO }
        defer { MHD_destroy_response(made) }
        return MHD_queue_response(connection, UInt32(response.status), made)
    }

    private func openStream(on connection: OpaquePointer, first: EventBytes?) -> MHD_Result {
        let stream = HTTPEventStream(connection: connection)
        if let first { stream.push(first) }
        // libmicrohttpd holds the stream until it frees the response; that reference is
        // released in the free callback.
        let context = Unmanaged.passRetained(stream).toOpaque()
        let response = MHD_create_response_from_callback(
            sy_mhd_size_unknown(), 4096,
            { context, _, buffer, max in
                Unmanaged<HTTPEventStream>.fromOpaque(context!).takeUnretainedValue().read(into: buffer!, max: max)
            },
            context,
            { context in
                Unmanaged<HTTPEventStream>.fromOpaque(context!).takeRetainedValue().finished()
            })
        guard let response else {
            Unmanaged<HTTPEventStream>.fromOpaque(context).release()
            return .NO
        }
        defer { MHD_destroy_response(response) }
        _ = MHD_add_response_header(response, "Content-Type", "text/event-stream")
        _ = MHD_add_response_header(response, "Cache-Control", "no-cache")
        stream.onFinish = { [self] stream in self.streamFinished(stream) }
        streams.append(stream)
        stats.eventStreamsOpened += 1
        return MHD_queue_response(connection, 200, response)
    }

    // MARK: addresses

    /// Calls `body` with `address:port` as a sockaddr_in or sockaddr_in6.
    private static func withSocketAddress<Result>(
        _ address: String, port: Int, _ body: (UnsafePointer<sockaddr>) -> Result
    ) throws(WebError) -> Result {
        if address.containsColon {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = UInt16(truncatingIfNeeded: port).bigEndian
            guard inet_pton(AF_INET6, address, &socketAddress.sin6_addr) == 1 else { throw .invalidAddress(address) }
            return withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0) }
            }
        }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else { throw .invalidAddress(address) }
        return withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0) }
        }
    }
}

extension String {
    /// Whether the text has a `:` (an IPv6 address rather than IPv4).
    var containsColon: Bool { utf8.contains(UInt8(ascii: ":")) }
}
