import Runtime
import Synchronization

/// The connection supervisor: connects on a short-lived thread, watches the socket, and
/// reconnects with backoff after every loss; the owner's controls (reconnect, pause, resume,
/// retry after a delay) steer it.
extension MQTTClient {
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

    // MARK: connecting

    func beginConnect() {
        reconnectTimer = nil
        guard !isPaused else {
            setState(.paused)
            return
        }
        // A TLS handshake against a clock still at the image's build time fails "certificate
        // not yet valid" and backs off for minutes: wait for time sync instead (ClockTrust).
        if settings.tls != nil && !ClockTrust.allowsTLS {
            if !waitingForClockLogged {
                log.info("waiting for the clock to be synchronised before connecting over TLS")
                waitingForClockLogged = true
            }
            setState(.waitingToReconnect)
            reconnectTimer = loop.after(.seconds(1)) { [self] in self.beginConnect() }
            return
        }
        waitingForClockLogged = false
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

    func updateWriteInterest() {
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

    func releaseSocket() {
        socketWatch?.cancel()
        socketWatch = nil
        keepaliveTask?.cancel()
        keepaliveTask = nil
    }

    // MARK: MosquittoSessionDelegate: the connection

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
        // Connected: only debugging wants libmosquitto's line per packet (MosquittoSession.setLogging).
        session.setLogging(settings.debug)
        lastError = ""
        lastLoggedFailure = ""
        inflightIDs.removeAll()
        log.info("connected to \(settings.endpoint)")
        setState(.connected)
        report(.accepted)
        // Paused while the attempt was on its way: leave again, after this callback.
        if isPaused { loop.after(.zero) { [self] in self.applyPause() } }
        resubscribeAll()
        for entry in connectHandlers { entry.handler() }
        drainOutbox()
        updateWriteInterest()
    }

    func sessionDisconnected(resultCode: Int32) {
        let wasConnected = state == .connected
        session.setLogging(true)
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

    func sessionLogged(level: Int32, message: String) {
        mosquittoLogLines += 1
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
