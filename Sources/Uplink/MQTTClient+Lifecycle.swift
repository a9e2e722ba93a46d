import Runtime

/// Starting and stopping: a stop lets in-flight messages reach the broker within a grace
/// period; a close also lets go of everything the owner handed over.
extension MQTTClient {
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
        pendingSubscribes.removeAll()
        connectHandlers.removeAll()
        stop(grace: grace, completion: completion)
    }

    // MARK: stopping

    func checkStopProgress() {
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
}
