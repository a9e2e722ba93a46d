import Runtime
import Contracts
import Synchronization

/// One MQTT connection, driven entirely by the run loop: libmosquitto's socket is polled
/// like any other descriptor, with write interest only while it has bytes to send.
///
/// Connects in the background, reconnects with exponential backoff and jitter, resubscribes
/// after every reconnect, and keeps QoS 1/2 messages published while disconnected in a
/// bounded outbox that drains in order once connected.
public final class MQTTClient: MessagePort, MosquittoSessionDelegate {
    public let name: String
    public private(set) var settings: MQTTSettings
    public private(set) var state: UplinkState = .idle
    public private(set) var stats = UplinkStats()
    public private(set) var outbox: OutboxQueue
    /// The last reason the connection failed, for `mqtt status` ("" when none).
    public private(set) var lastError = ""
    // The connect failure last written to the log, so a repeat is not.
    private var lastLoggedFailure = ""

    /// Called on every change of `state` (the LED and the state topic follow it).
    public var onStateChange: ((UplinkState) -> Void)?

    /// Asked on the loop before every connect and reconnect, for a cloud broker whose
    /// password is a short-lived token; replaces `settings.username`/`password` when set.
    /// nil means "nothing to connect with yet": the attempt fails and backs off (a service
    /// that knows it must fetch a token first calls `pause()` instead).
    public var credentialsProvider: (() -> MQTTCredentials?)?
    /// Called once per connect attempt with how it ended, before the retry is scheduled:
    /// the handler may call `pause()` (to fetch a token) or `retry(after:)` (a quota).
    public var onConnectResult: ((MQTTConnectResult) -> Void)?
    /// Called when an established connection ends, before the reconnect is scheduled.
    public var onDisconnect: ((MQTTDisconnectReason) -> Void)?
    /// How the last connect attempt ended (nil before the first).
    public private(set) var lastConnectResult: MQTTConnectResult?
    /// The reconnect policy; replace it before `start()` for a broker with its own rules.
    public var backoff = ReconnectBackoff()
    /// Whether `pause()` holds the client off the broker.
    public private(set) var isPaused = false
    /// Whether `close` let go of the owner's handlers: such a client never starts again.
    public private(set) var isClosed = false

    private let loop: EventLoop
    private var session: MosquittoSession
    // New settings and their session, waiting for the old connection to close (`apply`).
    private var replacement: (settings: MQTTSettings, session: MosquittoSession)?
    let log: Logger
    private var subscriptions: [(token: PortToken, filter: String, qos: Int32, handler: (MQTTMessage) -> Void)] = []
    // Called after each successful connect, before the outbox drains: birth messages go here.
    private var connectHandlers: [(token: PortToken, handler: () -> Void)] = []
    private var nextToken = 0
    private var connectWake: WakeSource?
    private var inflight = 0
    // QoS 0 messages handed over since libmosquitto's send queue was last empty.
    private var qos0Backlog = 0
    private var everConnected = false
    private var socketWatch: IOWatch?
    private var keepaliveTask: FixedRateTask?
    private var reconnectTimer: OneShotTimer?
    private var stopCompletion: (() -> Void)?
    private var stopDeadline: OneShotTimer?
    // Set while we close the connection ourselves (pause, reconnect): not a loss to report.
    private var closingOnPurpose = false
    // The delay `retry(after:)` asked for, used by the next scheduled reconnect.
    private var delayOverride: Interval?
    // The refusal a CONNACK carried, reported when the connection then closes.
    private var refusal: MQTTReasonCode?

    // A connect attempt runs on a short-lived thread (name resolution blocks); it stores its
    // result in the attempt and signals the loop's wake-up.
    //
    // Unchecked Sendable, by hand-over: the attempt carries the session to the connect thread,
    // which alone uses it and writes the result fields until it release-stores `done`; the
    // loop touches neither the session nor the fields before it acquire-loads `done` as true.
    private final class ConnectAttempt: @unchecked Sendable {
        let session: MosquittoSession
        let settings: MQTTSettings
        let first: Bool
        /// CONNECT user properties; nil for the plain (non-v5) connect.
        let properties: [MQTTUserProperty]?
        init(session: MosquittoSession, settings: MQTTSettings, first: Bool, properties: [MQTTUserProperty]?) {
            self.session = session
            self.settings = settings
            self.first = first
            self.properties = properties
        }
        let done = Atomic<Bool>(false)
        var result: Int32 = 0
        /// The connect thread's errno: a system error is only readable on that thread.
        var reason = ""
        /// What libmosquitto logged as a problem during the attempt (TLS details).
        var problem = ""
        /// libmosquitto's log lines during the attempt, for `debug` (bounded).
        var debugLines: [String] = []
    }
    private var attempt: ConnectAttempt?
    private var connectThread: WorkerThread?

    // The outbox on disk while running: saved every `spoolInterval` when it changed, the
    // file removed once the outbox drained, so a kill loses at most one period's messages.
    private var spoolTask: FixedRateTask?
    // Internal, not private: MQTTClient+Spool.swift writes the spool.
    var outboxChanged = false
    var spoolOnDisk = false
    lazy var spoolProblems = LogLimiter(log: log, clock: loop.clock)

    public init(name: String, settings: MQTTSettings, loop: EventLoop) throws(UplinkError) {
        self.name = name
        self.settings = settings
        self.loop = loop
        log = Logger(name)
        outbox = OutboxQueue(maxMessages: settings.outboxMaxMessages, maxBytes: settings.outboxMaxBytes)
        // What the last run could not deliver goes out first, once connected.
        if let spoolPath = settings.spoolPath { _ = OutboxSpool.load(spoolPath, into: &outbox) }
        session = try MosquittoSession(settings: settings)
        session.delegate = self
    }

    // MARK: lifecycle

    /// Starts connecting; returns at once.
    public func start() {
        precondition(!isClosed, "MQTTClient: started after close")
        guard state == .idle || state == .stopped else { return }
        session.delegate = self // dropped by finishStop; a restarted client takes it back
        log.info("connecting to \(settings.endpoint) as \(settings.clientID)")
        if settings.spoolPath != nil && spoolTask == nil {
            spoolTask = loop.addTask(name + "-spool", every: settings.spoolInterval) { [self] in self.writeSpool(periodic: true) }
        }
        beginConnect()
    }

    /// Publishes nothing more, lets in-flight QoS 1 messages (and a final retained status set
    /// by the caller) reach the broker for up to `grace`, disconnects, then calls `completion`.
    public func stop(grace: Interval = .seconds(2), completion: @escaping () -> Void) {
        reconnectTimer?.cancel()
        guard state == .connected else {
            finishStop()
            completion()
            return
        }
        setState(.stopping)
        stopCompletion = completion
        stopDeadline = loop.after(grace) { [self] in self.disconnectNow() }
        checkStopProgress()
    }

    /// Stops as `stop` does, for good: first lets go of everything the owner handed over (the
    /// credentials provider, the callbacks, subscriptions and connect handlers). Those capture
    /// the owner, which holds this client; Embedded Swift has no weak references, so without
    /// this the two keep each other alive, and a service that makes a client per start (the
    /// car clouds) would leak one per restart: its socketpair, socket and buffers.
    public func close(grace: Interval = .seconds(2), completion: @escaping () -> Void = {}) {
        isClosed = true
        credentialsProvider = nil
        onConnectResult = nil
        onDisconnect = nil
        onStateChange = nil
        // The connection is about to close: the broker forgets these without being told.
        subscriptions.removeAll()
        connectHandlers.removeAll()
        stop(grace: grace, completion: completion)
    }

    /// Drops the connection and connects again at once (console `mqtt reconnect`, a cloud
    /// service with a fresh token: the credentials provider is asked again).
    /// Deferred to the next loop pass: it may be called from inside a message callback
    /// (an MQTT command), and libmosquitto must not be re-entered from its callbacks.
    public func reconnect() {
        loop.after(.zero) { [self] in self.reconnectNow() }
    }

    private func reconnectNow() {
        guard state != .stopping && state != .stopped && !isPaused else { return }
        if state == .connected {
            closingOnPurpose = true
            _ = session.disconnect() // the disconnect callback schedules the reconnect
        } else if state == .waitingToReconnect {
            reconnectTimer?.cancel()
            backoff.reset()
            beginConnect()
        }
    }

    /// Disconnects (if connected) and stops retrying until `resume()`: for a service that
    /// must fetch a new token first. Deferred like `reconnect()`.
    public func pause() {
        guard !isPaused else { return }
        isPaused = true
        reconnectTimer?.cancel()
        reconnectTimer = nil
        loop.after(.zero) { [self] in self.applyPause() }
    }

    private func applyPause() {
        guard isPaused else { return }
        switch state {
        case .connected:
            closingOnPurpose = true
            _ = session.disconnect() // the disconnect callback lands in `paused`
        case .waitingToReconnect:
            reconnectTimer?.cancel()
            reconnectTimer = nil
            setState(.paused)
        default:
            break // a pending attempt is dropped when it connects; idle and stopped stay
        }
    }

    /// Connects again (asking the credentials provider) after `pause()`. The backoff is not
    /// reset: a connection that fails again waits longer, as it should.
    public func resume() {
        guard isPaused else { return }
        isPaused = false
        loop.after(.zero) { [self] in
            guard !self.isPaused, self.state == .paused || self.state == .waitingToReconnect else { return }
            self.reconnectTimer?.cancel()
            self.reconnectTimer = nil
            self.beginConnect()
        }
    }

    /// Takes new connection settings (SIGHUP, `reload`). The client stays the same object, so
    /// the services' port, subscriptions, connect handlers and the outbox carry over; the
    /// connection closes and a new session connects with the new settings. Throws, changing
    /// nothing, when they cannot make a session (an unreadable TLS file). Returns whether
    /// anything changed.
    @discardableResult
    public func apply(_ newSettings: MQTTSettings) throws(UplinkError) -> Bool {
        guard newSettings != settings else { return false }
        let made = try MosquittoSession(settings: newSettings)
        made.delegate = self
        replacement = (newSettings, made)
        log.info("settings changed: reconnecting to \(newSettings.endpoint) as \(newSettings.clientID)")
        switch state {
        case .idle, .stopped:
            swapSession()
        case .paused:
            swapSession()
            if !isPaused { beginConnect() }
        default:
            // Closes like a pause; `setState(.paused)` then swaps and connects again.
            wasPausedBeforeApply = isPaused
            isPaused = false
            pause()
        }
        return true
    }

    private var wasPausedBeforeApply = false

    private func swapSession() {
        guard let (newSettings, made) = replacement else { return }
        replacement = nil
        session.delegate = nil
        session = made
        settings = newSettings
        // A fresh session has never connected: its first attempt is a connect, not a
        // reconnect (libmosquitto refuses that without a host).
        everConnected = false
        lastLoggedFailure = ""
        backoff.reset()
    }

    /// Makes the next reconnect wait `delay` instead of the backoff's next step (what a
    /// broker asks for: BMW's quota 60 s). While already waiting, the wait restarts now.
    public func retry(after delay: Interval) {
        if state == .waitingToReconnect, reconnectTimer != nil {
            reconnectTimer?.cancel()
            log.debug("reconnecting in \(delay.millisecondsText) ms")
            reconnectTimer = loop.after(delay) { [self] in self.beginConnect() }
        } else {
            delayOverride = delay
        }
    }

    public var isConnected: Bool { state == .connected }

    /// Messages handed to libmosquitto and not yet acknowledged.
    public var inflightCount: Int { inflight }

    /// The outbox's fill, for the services' port (`MessagePort.outboxLevel`).
    public var outboxLevel: OutboxLevel { OutboxLevel(waiting: outbox.count, capacity: outbox.maxMessages, bytes: outbox.bytes, byteCapacity: outbox.maxBytes) }

    /// Whether libmosquitto still has bytes to write to the socket.
    public var hasPendingWrites: Bool { socketWatch != nil && session.wantsWrite }

    // MARK: publishing and subscribing

    /// Publishes `payload` on `topic`. QoS 1/2 messages wait in the outbox while disconnected.
    @discardableResult
    public func publish(_ topic: String, _ payload: [UInt8], qos: Int32 = 0, retain: Bool = false) -> PublishOutcome {
        let message = OutboxMessage(topic: topic, payload: payload, qos: qos, retain: retain)
        if state == .connected && outbox.isEmpty && (qos == 0 || inflight < settings.maxInflight) {
            return hand(message)
        }
        if qos == 0 {
            guard state == .connected else {
                stats.droppedQoS0 += 1
                return .dropped("not connected (QoS 0)")
            }
            return hand(message)
        }
        outbox.append(message)
        outboxChanged = true
        if state == .connected { drainOutbox() }
        return .queued
    }

    /// Publishes UTF-8 text (the `MessagePort` requirement, with defaults for direct callers).
    @discardableResult
    public func publish(_ topic: String, text: String, qos: Int32 = 0, retain: Bool = false) -> PublishOutcome {
        publish(topic, Array(text.utf8), qos: qos, retain: retain)
    }

    /// Calls `handler` for every message matching `filter`; survives reconnects.
    @discardableResult
    public func subscribe(_ filter: String, qos: Int32 = 0, _ handler: @escaping (MQTTMessage) -> Void) -> PortToken {
        let token = makeToken()
        let known = subscriptions.contains { $0.filter == filter && $0.qos >= qos }
        subscriptions.append((token, filter, qos, handler))
        if state == .connected && !known { _ = session.subscribe(filter, qos: qos) }
        return token
    }

    /// Removes a subscription; the broker is told when no other one uses the same filter.
    public func unsubscribe(_ token: PortToken) {
        guard let index = subscriptions.firstIndex(where: { $0.token == token }) else { return }
        let filter = subscriptions.remove(at: index).filter
        if state == .connected && !subscriptions.contains(where: { $0.filter == filter }) {
            _ = session.unsubscribe(filter)
            updateWriteInterest()
        }
    }

    /// Subscriptions held (a stopped service must bring this back to where it was).
    public var subscriptionCount: Int { subscriptions.count }

    /// Calls `handler` after every successful connect, before the outbox drains.
    @discardableResult
    public func onConnect(_ handler: @escaping () -> Void) -> PortToken {
        let token = makeToken()
        connectHandlers.append((token, handler))
        return token
    }

    /// Removes a connect handler.
    public func removeConnectHandler(_ token: PortToken) {
        connectHandlers.removeAll { $0.token == token }
    }

    private func makeToken() -> PortToken {
        nextToken += 1
        return PortToken(nextToken)
    }

    /// Whether `topic` matches the subscription `filter` (+ and # wildcards).
    public static func topic(_ topic: String, matches filter: String) -> Bool {
        MosquittoSession.topic(topic, matches: filter)
    }

    private func hand(_ message: OutboxMessage) -> PublishOutcome {
        if message.qos == 0 {
            // libmosquitto queues without limit; a broker slower than a busy bus would grow
            // memory until the board runs out. Drop the newest instead, and count it.
            if qos0Backlog >= settings.maxQoS0Backlog {
                stats.droppedQoS0 += 1
                return .dropped("send backlog full (QoS 0)")
            }
            qos0Backlog += 1
        }
        let (code, _) = session.publish(message)
        if code == MosquittoSession.success {
            stats.published += 1
            if message.qos > 0 { inflight += 1 }
            updateWriteInterest()
            return .sent
        }
        if code == MosquittoSession.noConnection, message.qos > 0 {
            outbox.prepend(message)
            outboxChanged = true
            return .queued
        }
        stats.rejected += 1
        let reason = MosquittoSession.describe(code)
        log.warning("publish to \(message.topic) refused: \(reason)")
        return .dropped(reason)
    }

    private func drainOutbox() {
        while state == .connected || state == .stopping, inflight < settings.maxInflight,
              let message = outbox.removeFirst() {
            outboxChanged = true
            if case .queued = hand(message) { break }
        }
    }

    // MARK: connecting

    private func beginConnect() {
        reconnectTimer = nil
        guard !isPaused else {
            setState(.paused)
            return
        }
        setState(.connecting)
        refusal = nil
        closingOnPurpose = false
        var properties = settings.userProperties
        if let provider = credentialsProvider {
            guard let credentials = provider() else {
                connectFailed("no credentials to connect with yet")
                return
            }
            let code = session.setCredentials(username: credentials.username, password: credentials.password)
            guard code == MosquittoSession.success else {
                connectFailed("cannot set credentials: " + MosquittoSession.describe(code))
                return
            }
            properties += credentials.userProperties
        }
        // CONNECT properties need libmosquitto's v5 connect; everything else keeps the async one.
        let withProperties = !properties.isEmpty || settings.sessionExpirySeconds != nil
        let attempt = ConnectAttempt(session: session, settings: settings, first: !everConnected,
                                     properties: withProperties ? properties : nil)
        self.attempt = attempt
        // The loop does not touch the session until `done` is set.
        do throws(RuntimeError) {
            if connectWake == nil { connectWake = try loop.wakeSource { [self] in self.collectConnectResult() } }
            let wakeup = connectWake!
            connectThread = try WorkerThread {
                let settings = attempt.settings
                if let properties = attempt.properties {
                    attempt.result = attempt.session.connect(
                        host: settings.host, port: settings.port, keepalive: settings.keepaliveSeconds,
                        userProperties: properties, sessionExpirySeconds: settings.sessionExpirySeconds)
                } else {
                    attempt.result = attempt.session.connect(host: settings.host, port: settings.port,
                                                             keepalive: settings.keepaliveSeconds, first: attempt.first)
                }
                attempt.reason = MosquittoSession.describe(attempt.result)
                attempt.done.store(true, ordering: .releasing)
                wakeup.signal()
            }
        } catch {
            connectFailed("cannot start connect thread: \(error.description)")
        }
    }

    private func collectConnectResult() {
        guard state == .connecting, let attempt, attempt.done.load(ordering: .acquiring) else { return }
        self.attempt = nil
        connectThread?.join()
        connectThread = nil
        for line in attempt.debugLines { log.debug("mosquitto: \(line)") }
        guard attempt.result == MosquittoSession.success, let fd = session.socket else {
            connectFailed(attempt.problem.isEmpty ? attempt.reason : attempt.problem)
            return
        }
        everConnected = true
        // CONNACK arrives on the socket; until then, watch it for the CONNECT going out.
        socketWatch = loop.watch(fd, interest: .read) { [self] events in self.socketReady(events) }
        updateWriteInterest()
        let period = Interval.seconds(Int64(max(1, settings.keepaliveSeconds / 4)))
        keepaliveTask = loop.addTask("\(name).keepalive", every: period) { [self] in
            _ = self.session.loopMisc()
            self.updateWriteInterest()
        }
    }

    private func socketReady(_ events: IOEvents) {
        if events.contains(.readable) || events.contains(.hangup) || events.contains(.error) {
            let code = session.loopRead()
            if code != MosquittoSession.success { connectionLost(code) ; return }
        }
        if events.contains(.writable) {
            let code = session.loopWrite()
            if code != MosquittoSession.success { connectionLost(code); return }
        }
        updateWriteInterest()
        if state == .stopping { checkStopProgress() }
    }

    private func updateWriteInterest() {
        let pending = session.wantsWrite
        if !pending { qos0Backlog = 0 }
        socketWatch?.interest = pending ? [.read, .write] : .read
    }

    private func connectionLost(_ code: Int32) {
        // libmosquitto calls the disconnect callback itself for most failures; make sure the
        // socket is released and a reconnect scheduled either way.
        if state == .connected || state == .connecting {
            sessionDisconnected(resultCode: code)
        }
    }

    private func connectFailed(_ reason: String) {
        stats.connectFailures += 1
        // Once per distinct failure, not once per retry: a broker refusing the login would
        // otherwise fill the log every backoff period.
        if reason != lastLoggedFailure {
            lastLoggedFailure = reason
            if let refusal, refusal.isAuthenticationFailure {
                log.warning("\(settings.endpoint) refused the login (\(refusal.name)): check the username and "
                            + "password; retrying with backoff, this is logged once")
            } else {
                log.error("cannot connect to \(settings.endpoint): \(reason)")
            }
        }
        lastError = reason
        let result: MQTTConnectResult = refusal.map { .refused($0) } ?? .failed(reason)
        refusal = nil
        report(result)
        scheduleReconnect()
    }

    private func report(_ result: MQTTConnectResult) {
        lastConnectResult = result
        onConnectResult?(result)
    }

    private func scheduleReconnect(immediately: Bool = false) {
        releaseSocket()
        qos0Backlog = 0
        guard state != .stopping && state != .stopped else { return }
        if isPaused {
            delayOverride = nil
            setState(.paused)
            return
        }
        setState(.waitingToReconnect)
        var delay = immediately ? Interval.zero : backoff.nextDelay()
        if let override = delayOverride {
            delay = override
            delayOverride = nil
        }
        log.debug("reconnecting in \(delay.millisecondsText) ms")
        reconnectTimer = loop.after(delay) { [self] in self.beginConnect() }
    }

    private func releaseSocket() {
        socketWatch?.cancel()
        socketWatch = nil
        keepaliveTask?.cancel()
        keepaliveTask = nil
    }

    // MARK: stopping

    private func checkStopProgress() {
        guard state == .stopping else { return }
        if inflight == 0 && outbox.isEmpty && !session.wantsWrite { disconnectNow() }
    }

    private func disconnectNow() {
        stopDeadline?.cancel()
        if state == .stopping {
            _ = session.disconnect()
            _ = session.loopWrite()
        }
        finishStop()
        if let completion = stopCompletion {
            stopCompletion = nil
            completion()
        }
    }

    private func finishStop() {
        spoolTask?.cancel()
        spoolTask = nil
        // The session holds its delegate strongly (Embedded Swift has no weak): let go, or a
        // stopped client and its session (two descriptors, buffers) live forever. A service
        // that makes a client per start (the car clouds) would leak one per restart.
        session.delegate = nil
        releaseSocket()
        connectWake?.cancel()
        connectWake = nil
        setState(.stopped)
        writeSpool(periodic: false)
    }

    private func setState(_ new: UplinkState) {
        guard new != state else { return }
        state = new
        onStateChange?(new)
        if new == .paused && replacement != nil {
            // The old connection is closed: connect the new session (after this callback).
            swapSession()
            isPaused = wasPausedBeforeApply
            wasPausedBeforeApply = false
            if !isPaused { loop.after(.zero) { [self] in if self.state == .paused { self.beginConnect() } } }
        }
    }

    // MARK: MosquittoSessionDelegate

    func sessionConnected(resultCode: Int32, reason: String) {
        guard resultCode == 0 else {
            // Refused by the broker (bad credentials, ...): the broker closes the socket; the
            // disconnect callback that follows reports it and schedules the retry.
            let code = MQTTReasonCode(code: resultCode)
            refusal = code
            lastError = "broker refused the connection: " + code.name + " (" + String(resultCode) + ")"
            return
        }
        stats.connects += 1
        backoff.reset()
        lastError = ""
        lastLoggedFailure = ""
        inflight = 0
        log.info("connected to \(settings.endpoint)")
        setState(.connected)
        report(.accepted)
        // Paused while the attempt was on its way: leave again, after this callback.
        if isPaused { loop.after(.zero) { [self] in self.applyPause() } }
        var filters: [String] = []
        for subscription in subscriptions where !filters.contains(subscription.filter) {
            filters.append(subscription.filter)
            _ = session.subscribe(subscription.filter, qos: subscription.qos)
        }
        for entry in connectHandlers { entry.handler() }
        drainOutbox()
        updateWriteInterest()
    }

    func sessionDisconnected(resultCode: Int32) {
        let wasConnected = state == .connected
        if state == .stopping || state == .stopped {
            releaseSocket()
            return
        }
        guard wasConnected || state == .connecting else { return }
        releaseSocket()
        if wasConnected {
            stats.disconnects += 1
            let onPurpose = closingOnPurpose
            closingOnPurpose = false
            let cause: MQTTDisconnectReason
            if onPurpose {
                cause = .requested
                log.info("disconnected from \(settings.endpoint) on request")
            } else {
                // libmosquitto hands over a broker's MQTT 5 DISCONNECT reason (128 and up) or
                // its own error number (small), in the same argument.
                cause = resultCode >= 128 ? .broker(MQTTReasonCode(code: resultCode))
                    : .lost(resultCode == 0 ? "closed" : MosquittoSession.describe(resultCode))
                let reason: String
                switch cause {
                case .broker(let code): reason = "broker said " + code.name
                case .lost(let text): reason = text
                case .requested: reason = "requested"
                }
                log.warning("disconnected from \(settings.endpoint): \(lastError.isEmpty ? reason : lastError)")
            }
            onDisconnect?(cause)
            scheduleReconnect(immediately: onPurpose)
        } else {
            connectFailed(lastError.isEmpty ? MosquittoSession.describe(resultCode) : lastError)
        }
    }

    func sessionPublished(messageID: Int32) {
        stats.acknowledged += 1
        if inflight > 0 { inflight -= 1 }
        drainOutbox()
        // We are inside libmosquitto's loop_read here; disconnecting from within a callback
        // would re-enter it (and deadlock on its lock), so the check runs right after.
        if state == .stopping { loop.after(.zero) { [self] in self.checkStopProgress() } }
    }

    func sessionReceived(topic: String, payload: [UInt8], qos: Int32, retain: Bool) {
        stats.received += 1
        let message = MQTTMessage(topic: topic, payload: payload, qos: qos, retain: retain)
        for subscription in subscriptions where MosquittoSession.topic(topic, matches: subscription.filter) {
            subscription.handler(message)
        }
    }

    func sessionLogged(level: Int32, message: String) {
        // While a connect attempt is pending this runs on the attempt's thread: touch only
        // the attempt (the loop thread leaves the session alone until the attempt is done).
        if let attempt, !attempt.done.load(ordering: .acquiring) {
            if MosquittoSession.isProblem(level) { attempt.problem = message }
            if settings.debug && attempt.debugLines.count < 32 { attempt.debugLines.append(message) }
            return
        }
        if MosquittoSession.isProblem(level) {
            // TLS failures only reach us this way ("OpenSSL Error[0]: ... certificate verify failed").
            lastError = message
        }
        if settings.debug { log.debug("mosquitto: \(message)") }
    }
}
