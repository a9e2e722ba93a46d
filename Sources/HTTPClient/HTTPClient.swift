import CCurl
import Runtime

/// The gateway's HTTP(S) client: libcurl's multi-socket API driven by our run loop.
///
/// curl tells us which sockets to watch (`CURLMOPT_SOCKETFUNCTION`) and when to wake it
/// (`CURLMOPT_TIMERFUNCTION`); we turn those into `IOWatch`es and a one-shot timer on the
/// `EventLoop` and call `curl_multi_socket_action` when they fire. Nothing here blocks: a
/// slow server costs one watched descriptor, never the loop. Each request completes exactly
/// once, on the loop thread, with a response or an `HTTPClientError`; unless it is cancelled,
/// in which case its completion is never called.
///
/// At most `settings.maxInFlight` requests run at once; one more is refused at once with
/// `.busy` (not queued), so a hung server cannot grow memory here. Loop thread only.
public final class HTTPClient {
    public let settings: HTTPClientSettings
    let loop: EventLoop
    let multi: UnsafeMutableRawPointer
    var transfers: [HTTPTransferID: HTTPTransfer] = [:]
    var socketWatches: [Int32: IOWatch] = [:]
    var timer: OneShotTimer?
    /// HTTPS requests made before the clock was synchronised: added to curl once it is
    /// (ClockTrust), so their handshake does not fail "certificate not yet valid".
    var heldForClock: [HTTPTransferID] = []
    var clockTimer: OneShotTimer?
    private var nextID: UInt64 = 1
    private var closed = false
    let log = Logger("http")

    /// Requests completed with a response (any status), failed, refused as busy, cancelled.
    public internal(set) var completedCount = 0
    public internal(set) var failedCount = 0
    public private(set) var refusedCount = 0
    public private(set) var cancelledCount = 0

    /// A client on `loop`. Cannot fail short of libcurl being unusable, which is a trap.
    public init(loop: EventLoop, settings: HTTPClientSettings = HTTPClientSettings()) {
        precondition(CurlLibrary.initialise(), "curl_global_init failed")
        guard let multi = curl_multi_init() else { preconditionFailure("curl_multi_init: out of memory") }
        self.loop = loop
        self.settings = settings
        self.multi = multi
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = sy_curl_multi_setopt_socket(multi, HTTPClient.socketCallback)
        _ = sy_curl_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, me)
        _ = sy_curl_multi_setopt_timer(multi, HTTPClient.timerCallback)
        _ = sy_curl_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, me)
    }

    deinit {
        close()
        curl_multi_cleanup(multi)
    }

    /// Requests running now.
    public var inFlight: Int { transfers.count }

    /// Starts `request`; `completion` runs later on the loop thread, exactly once, unless the
    /// request is cancelled. Throws `.busy` when `maxInFlight` requests are running and
    /// `.invalidRequest` for a request that cannot be sent; then `completion` never runs.
    @discardableResult
    public func send(_ request: HTTPRequest,
                     completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void)
        throws(HTTPClientError) -> HTTPTransferID
    {
        precondition(!closed, "HTTPClient used after close()")
        guard transfers.count < settings.maxInFlight else {
            refusedCount += 1
            throw .busy(limit: settings.maxInFlight)
        }
        guard let easy = curl_easy_init() else { preconditionFailure("curl_easy_init: out of memory") }
        let id = HTTPTransferID(rawValue: nextID)
        nextID += 1
        let transfer = HTTPTransfer(id: id, easy: easy, started: loop.clock.now(),
                                    limit: request.maxResponseBytes ?? settings.maxResponseBytes,
                                    completion: completion)
        try configure(transfer, for: request)
        transfers[id] = transfer
        if !ClockTrust.allowsTLS && request.url.hasPrefix("https:") {
            if heldForClock.isEmpty { log.info("HTTPS waits for the clock to be synchronised") }
            heldForClock.append(id)
            clockTimer = clockTimer ?? loop.after(.seconds(1)) { [self] in self.releaseHeld() }
            return id
        }
        let added = curl_multi_add_handle(multi, easy)
        guard added == CURLM_OK else {
            transfers[id] = nil
            throw .curl(code: Int32(truncatingIfNeeded: added.rawValue), message: "curl_multi_add_handle failed")
        }
        log.debug(request.method.name + " " + request.redactedURL)
        return id
    }

    /// Adds the held HTTPS requests to curl once the clock is trusted; looks again in 1 s before.
    private func releaseHeld() {
        clockTimer = nil
        guard ClockTrust.allowsTLS else {
            clockTimer = loop.after(.seconds(1)) { [self] in self.releaseHeld() }
            return
        }
        let held = heldForClock
        heldForClock.removeAll()
        for id in held {
            guard let transfer = transfers[id] else { continue }
            let added = curl_multi_add_handle(multi, transfer.easy)
            if added != CURLM_OK {
                transfers[id] = nil
                failedCount += 1
                transfer.completion(.failure(.curl(code: Int32(truncatingIfNeeded: added.rawValue),
                                                    message: "curl_multi_add_handle failed")))
            }
        }
    }

    /// Stops request `id` if it is still running; its completion is never called.
    public func cancel(_ id: HTTPTransferID) {
        guard let transfer = transfers.removeValue(forKey: id) else { return }
        heldForClock.removeAll { $0 == id }
        curl_multi_remove_handle(multi, transfer.easy)
        cancelledCount += 1
    }

    /// Cancels every request and stops watching curl's sockets. The client cannot be used
    /// afterwards; the gateway calls it at shutdown (it also runs on deinit).
    public func close() {
        guard !closed else { return }
        for id in Array(transfers.keys) { cancel(id) }
        for watch in socketWatches.values { watch.cancel() }
        socketWatches.removeAll()
        timer?.cancel()
        timer = nil
        clockTimer?.cancel()
        clockTimer = nil
        closed = true
    }
}
