import Runtime

/// New connection settings on a running client (`apply`): the old connection closes like a
/// pause, then a new session connects, so the port, subscriptions and outbox carry over.
extension MQTTClient {
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

    func swapSession() {
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
}
