import Crypto
import JSON
import Runtime
import ServiceKit
import Store

/// The status dashboard as a service: an HTTP server inside the run loop (libmicrohttpd
/// through `HTTPDaemon`) serving one page, the `state` JSON, a live event stream of it and
/// Prometheus metrics. It knows the other services only through the gateway's `state`
/// (`context.gatewayState()`), never by importing them.
public final class WebService: Service, HTTPRequestHandler {
    /// The catalogue's entry for the dashboard.
    public static var descriptor: ServiceDescriptor {
        ServiceDescriptor(
            name: "web", summary: "Status dashboard over HTTP: live page (Server-Sent Events), /api/state, /metrics.",
            enabled: WebConfigKeys.enabled, keys: WebConfigKeys.all, selftests: WebSelftest.checks,
            make: { context in WebService(context: context) })
    }

    /// An event stream with nothing new for this long gets a comment line, so dead clients
    /// are found (the write fails) and proxies keep the connection.
    static let keepAliveInterval = Interval.seconds(15)

    let context: ServiceContext
    let settings: WebSettings
    var daemon: HTTPDaemon?
    private var pushTask: FixedRateTask?
    private var trendTask: FixedRateTask?
    /// The sparklines' history (bounded: see `ReadingTrends`).
    var trends = ReadingTrends()
    /// What a page must send back with an action (`X-CSRF-Token`); new at every start of the
    /// service, empty (actions refused) if the random generator was not ready.
    let csrfToken: String
    /// Seconds between two samples of the trends.
    static let trendSeconds = 10
    /// What the stream last sent, part by part: later events carry only what changed.
    private var delta = WebStateDelta()
    private var lastEventAt = Instant(nanoseconds: 0)
    private var lastWholeAt: Instant?
    /// A whole snapshot goes out this often even when deltas would do (see `WebStateDelta`).
    static let wholeInterval = Interval.seconds(60)
    var stats = WebStats()
    /// A firmware upload is being received (one at a time).
    var uploading = false
    /// An event the page sees (a comment would not be): with it, a page that hears nothing
    /// for a while knows the stream is dead, not quiet.
    private let keepAlive = EventBytes("event: ping\ndata: {}\n\n")
    private var throttle = LoginThrottle()
    private let notices: LogLimiter
    /// Clients served at once: `web.max_clients`, or fewer when the open-file limit is too low.
    private var maxClients: Int
    private var openFiles: OpenFileBudget.Outcome?

    public init(context: ServiceContext) {
        self.context = context
        settings = WebSettings(from: context.store)
        notices = LogLimiter(log: context.log, clock: context.clock)
        maxClients = settings.maxClients
        csrfToken = WebService.newToken()
    }

    /// 128 random bits in hex, or empty when there is no entropy yet.
    private static func newToken() -> String {
        do throws(CryptoError) { return Hex.encode(try SecureRandom.bytes(16)) } catch { return "" }
    }

    /// Listens on `web.bind:web.port` and starts pushing state to open pages.
    public func start() throws(ServiceError) {
        guard daemon == nil else { return }
        try settings.check()
        checkOpenFileLimit()
        let daemon = HTTPDaemon(settings: .init(address: settings.address, port: settings.port, maxClients: maxClients,
                                                headerTimeout: .seconds(Int64(settings.headerTimeoutSeconds))),
                                loop: context.loop, handler: self, log: context.log)
        do throws(WebError) { try daemon.start() } catch {
            switch error {
            case .invalidAddress: throw .invalidSetting(key: WebConfigKeys.bind.name, reason: error.description)
            case .cannotListen: throw .unavailable(error.description)
            case .noEventDescriptor, .invalidAction: throw .failed(error.description)
            }
        }
        self.daemon = daemon
        pushTask = context.loop.addTask("web", every: .milliseconds(Int64(settings.updateMilliseconds))) { [self] in
            self.pushState()
        }
        trends.sample(context.gatewayState()["services"] ?? .null)
        trendTask = context.loop.addTask("web-trends", every: .seconds(Int64(WebService.trendSeconds))) { [self] in
            self.trends.sample(self.context.gatewayState()["services"] ?? .null)
        }
        context.log.info("dashboard on http://" + daemon.endpoint + "/"
            + (settings.password.isEmpty ? "" : " (basic auth as " + settings.username + ")"))
        context.report(.ok)
    }

    /// Fits `web.max_clients` under RLIMIT_NOFILE (raising the soft limit if it must), and
    /// says so when it had to lower it.
    private func checkOpenFileLimit() {
        let outcome = OpenFileBudget.clients(wanted: settings.maxClients)
        openFiles = outcome
        maxClients = outcome.clients
        if outcome.clients < settings.maxClients {
            context.log.warning("web.max_clients " + String(settings.maxClients) + " does not fit the open-file limit "
                + String(outcome.limit) + " (RLIMIT_NOFILE, with " + String(OpenFileBudget.reserved)
                + " kept for the rest of the gateway): serving at most " + String(outcome.clients)
                + " clients; raise the limit (ulimit -n, LimitNOFILE=) or lower web.max_clients")
        } else if outcome.raised {
            context.log.info("raised the open-file limit from " + String(outcome.previousLimit) + " to "
                             + String(outcome.limit) + " for web.max_clients " + String(settings.maxClients))
        }
    }

    /// Closes every connection and the listener.
    public func stop() {
        pushTask?.cancel()
        pushTask = nil
        trendTask?.cancel()
        trendTask = nil
        daemon?.stop()
        daemon = nil
    }

    /// Pages with the stream open get what changed since the last event (`WebStateDelta`),
    /// printed once for all of them; a whole snapshot every `wholeInterval`.
    private func pushState() {
        guard let daemon, !daemon.streams.isEmpty else { return }
        let state = context.gatewayState()
        let now = context.clock.now()
        if lastWholeAt.map({ now - $0 >= WebService.wholeInterval }) ?? true {
            lastWholeAt = now
            lastEventAt = now
            let id = delta.sentWhole(state)
            daemon.broadcast(EventBytes("id: " + String(id) + "\n" + WebService.event(state)))
            return
        }
        guard let change = delta.next(state) else {
            if now - lastEventAt >= WebService.keepAliveInterval {
                lastEventAt = now
                daemon.broadcast(keepAlive)
            }
            return
        }
        lastEventAt = now
        daemon.broadcast(EventBytes("id: " + String(change.id) + "\nevent: delta\ndata: " + change.json + "\n\n"))
    }

    /// `state` as one Server-Sent Event (compact JSON has no newline to split it).
    static func event(_ state: JSONValue) -> String { "data: " + state.serialized() + "\n\n" }

    // MARK: routes

    func respond(to request: HTTPRequest) -> HTTPReply {
        if let refusal = checkLogin(request) { return refusal }
        if request.method == "POST" {
            guard request.path == "/api/action" else {
                stats.notFound += 1
                return .response(.text(405, "only /api/action and /api/ota take a POST\n"))
            }
            return act(request)
        }
        switch request.path {
        case "/api/action", "/api/ota":
            return .response(.text(405, "actions are POST with the page's token; a GET changes nothing\n"))
        case "/", "/index.html":
            stats.page += 1
            var page = HTTPResponse.text(200, WebPage.html(snapshot: context.gatewayState().serialized(), csrfToken: csrfToken,
                                                                      settings: WebSettingsForm.json(context.store).serialized()),
                                         type: "text/html; charset=utf-8")
            page.headers.append(("Cache-Control", "no-cache"))
            return .response(page)
        case "/api/state":
            stats.state += 1
            var response = HTTPResponse.text(200, context.gatewayState().serialized(), type: "application/json")
            response.headers.append(("Cache-Control", "no-store"))
            return .response(response)
        case "/api/trends":
            stats.state += 1
            var response = HTTPResponse.text(200, trends.json(intervalSeconds: WebService.trendSeconds).serialized(),
                                             type: "application/json")
            response.headers.append(("Cache-Control", "no-store"))
            return .response(response)
        case "/api/settings":
            stats.state += 1
            var response = HTTPResponse.text(200, WebSettingsForm.json(context.store).serialized(), type: "application/json")
            response.headers.append(("Cache-Control", "no-store"))
            return .response(response)
        case "/events":
            stats.events += 1
            return .eventStream(first: EventBytes("retry: 3000\nid: " + String(delta.current) + "\n"
                                                  + WebService.event(context.gatewayState())))
        case "/metrics":
            stats.metrics += 1
            return .response(.text(200, PrometheusText.render(state: context.gatewayState(), services: context.gatewayMetrics()),
                                   type: "text/plain; version=0.0.4; charset=utf-8"))
        default:
            stats.notFound += 1
            return .response(.text(404, "no such page: try / (dashboard), /api/state, /events or /metrics\n"))
        }
    }

    /// Nil when the request may go on (no password set, or the right one); else the answer:
    /// 429 while its client is in its backoff (the password is not even looked at), 401
    /// otherwise. Only a wrong password counts against a client, not a missing one: a
    /// browser always asks once without.
    func checkLogin(_ request: HTTPRequest) -> HTTPReply? {
        guard !settings.password.isEmpty else { return nil }
        let now = context.clock.now()
        if let wait = throttle.wait(for: request.client, now: now) {
            stats.authThrottled += 1
            let seconds = (wait.milliseconds + 999) / 1000
            var response = HTTPResponse.text(429, "too many wrong passwords from " + request.client.description
                                                 + "; try again in " + String(seconds) + " s\n")
            response.headers.append(("Retry-After", String(seconds)))
            return .response(response)
        }
        if settings.admits(request.credentials) {
            throttle.succeeded(request.client)
            return nil
        }
        stats.unauthorized += 1
        if request.credentials != nil {
            stats.authFailures += 1
            if let wait = throttle.failed(request.client, now: now) {
                notices.warning("login", "dashboard: wrong password from " + request.client.description + " ("
                                + String(stats.authFailures) + " wrong so far); it waits "
                                + String(wait.milliseconds / 1000) + " s before its next try is checked")
            }
        }
        return .authenticate(realm: "switchyard " + context.node,
                             body: .text(401, "this dashboard needs the user name and password set in web.*\n"))
    }

    // MARK: state and commands

    /// Where it listens, its clients and what it counted (never the password).
    public func stateJSON() -> JSONValue {
        var object = JSONObject(minimumCapacity: 16)
        object.append("running", .bool(daemon != nil))
        object.append("url", .string("http://" + (daemon?.endpoint ?? settings.address + ":" + String(settings.port)) + "/"))
        object.append("auth", .string(settings.password.isEmpty ? "none" : "set"))
        if let daemon {
            object.append("clients", .int(daemon.openConnections))
            object.append("max_clients", .int(maxClients))
            if let openFiles, openFiles.limit >= 0 { object.append("open_file_limit", .int(openFiles.limit)) }
            object.append("streams", .int(daemon.streams.count))
            object.append("requests", .int(daemon.stats.requests))
            object.append("refused_clients", .int(daemon.stats.refusedClients))
            object.append("rejected_requests", .int(daemon.stats.rejectedRequests))
            object.append("events_sent", .int(daemon.eventsSent))
            object.append("events_superseded", .int(daemon.eventsSuperseded))
            object.append("header_timeouts", .int(daemon.stats.headerTimeouts))
            object.append("waiting_evicted", .int(daemon.stats.waitingEvicted))
        } else if !context.health.detail.isEmpty {
            object.append("problem", .string(context.health.detail))
        }
        object.append("not_found", .int(stats.notFound))
        object.append("unauthorized", .int(stats.unauthorized))
        object.append("auth_failures", .int(stats.authFailures))
        object.append("auth_throttled", .int(stats.authThrottled))
        object.append("uploads", .int(stats.uploads))
        object.append("uploads_refused", .int(stats.uploadsRefused))
        return .object(object)
    }

    /// `web status`.
    public var commands: [Command] {
        [Command("web", usage: "status", help: "Dashboard: its URL, open clients and request counters.",
                 remote: .readOnly(["", "status"])) {
            [self] request in
            let verb = request.argument(0) ?? "status"
            guard verb == "status" else { return .failure("unknown web command \"" + verb + "\"; use status") }
            if !self.context.isEnabled { return .failure("the dashboard is disabled (set web.enabled true)") }
            return .json(self.stateJSON())
        }]
    }
}
