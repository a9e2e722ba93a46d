import Runtime
import ServiceKit
import Store
import Uplink

/// How the stream connects and backs off (the defaults are BMW's; tests shorten them).
public struct CarDataStreamSettings {
    public var host: String
    public var port: Int32
    /// nil: the system's CAs.
    public var caFile: String?
    public var clientID: String
    /// Empty: every vehicle of the account (`<gcid>/+`).
    public var vins: [String]
    public var debug = false
    /// BMW's broker speaks TLS only; tests turn it off to talk to a plain MQTT 5 stand-in.
    public var useTLS = true
    /// 0: clean start. More: a session the broker keeps across our reconnects (no QoS 1 loss).
    public var sessionExpirySeconds: UInt32 = 0
    public var backoff = ReconnectBackoff(initial: .seconds(5), maximum: .seconds(300))
    /// Wait after a second "not authorized" in a row (the refresh did not help).
    public var notAuthorizedDelay = Interval.seconds(30)
    /// Wait after "quota exceeded".
    public var quotaDelay = Interval.seconds(60)
    public var breaker = CircuitBreaker()

    public init(host: String, port: Int32, caFile: String?, clientID: String, vins: [String]) {
        self.host = host
        self.port = port
        self.caFile = caFile
        self.clientID = clientID
        self.vins = vins
    }
}

/// BMW's stream: one MQTT 5 + TLS connection per gcid (a second one is refused), username
/// gcid, password the current id_token, keepalive 30 s, clean start, QoS 1 subscriptions.
///
/// "Not authorized" (or bad credentials) asks the owner for a fresh token once (`onNeedToken`)
/// and pauses until `use(idToken:)` brings it; a second refusal in a row backs off, and
/// repeated failures open the circuit breaker.
public final class CarDataStream {
    public let client: MQTTClient
    public let gcid: String
    private let loop: EventLoop
    private let log: Logger
    private var settings: CarDataStreamSettings
    private var idToken: String
    private var refreshedAfterRefusal = false
    private var breakerTimer: OneShotTimer?
    /// Asked when the broker refused the token: refresh it, then call `use(idToken:)`.
    public var onNeedToken: (() -> Void)?
    /// Every stream message, on the loop thread.
    public var onMessage: ((MQTTMessage) -> Void)?
    /// Connection changes (for `state` and the LED).
    public var onChange: (() -> Void)?
    public private(set) var refusals = 0
    public private(set) var lastRefusal: MQTTReasonCode?

    public init(settings: CarDataStreamSettings, gcid: String, idToken: String, loop: EventLoop, log: Logger)
        throws(UplinkError)
    {
        self.settings = settings
        self.gcid = gcid
        self.idToken = idToken
        self.loop = loop
        self.log = log
        var mqtt = MQTTSettings(host: settings.host, port: settings.port, clientID: settings.clientID)
        mqtt.protocolVersion = .v5
        mqtt.keepaliveSeconds = 30
        mqtt.cleanSession = settings.sessionExpirySeconds == 0
        if settings.sessionExpirySeconds > 0 { mqtt.sessionExpirySeconds = settings.sessionExpirySeconds }
        mqtt.debug = settings.debug
        if settings.useTLS {
            mqtt.tls = MQTTTLSSettings(caFile: settings.caFile,
                                       caDirectory: settings.caFile == nil ? MQTTTLSSettings.systemCADirectory : nil)
        }
        client = try MQTTClient(name: log.name + ".stream", settings: mqtt, loop: loop)
        client.backoff = settings.backoff
        client.credentialsProvider = { [self] in MQTTCredentials(username: self.gcid, password: self.idToken) }
        client.onConnectResult = { [self] result in self.connectResult(result) }
        client.onDisconnect = { [self] reason in self.disconnected(reason) }
        client.onStateChange = { [self] _ in self.onChange?() }
        for filter in topics {
            client.subscribe(filter, qos: 1) { [self] message in self.onMessage?(message) }
        }
    }

    /// `<gcid>/<VIN>` per VIN, or `<gcid>/+`.
    public var topics: [String] {
        settings.vins.isEmpty ? [gcid + "/+"] : settings.vins.map { gcid + "/" + $0 }
    }

    public func start() { client.start() }

    /// Disconnects for good (a stream is made per login and never restarted). Closes the
    /// client, which lets go of the handlers this stream gave it: they capture the stream,
    /// and a stream and client holding each other would never be freed.
    public func stop(completion: @escaping () -> Void = {}) {
        breakerTimer?.cancel()
        breakerTimer = nil
        client.close(grace: .milliseconds(200), completion: completion)
    }

    /// A fresh id_token: connect with it now (before BMW drops the old one at its expiry).
    public func use(idToken: String) {
        self.idToken = idToken
        if client.isPaused {
            if !breakerIsOpen { client.resume() }
        } else {
            client.reconnect()
        }
    }

    public var breakerIsOpen: Bool { settings.breaker.isOpen(at: loop.clock.now()) }
    public var breakerTrips: Int { settings.breaker.trips }

    private func connectResult(_ result: MQTTConnectResult) {
        switch result {
        case .accepted:
            refreshedAfterRefusal = false
            settings.breaker.reset()
            log.info("stream connected; subscribed to " + topics.joined(separator: ", "))
        case .refused(let reason):
            refusals += 1
            lastRefusal = reason
            if reason.isAuthenticationFailure && !refreshedAfterRefusal {
                // BMW says this for an expired token and for a second connection of the account:
                // one refresh tells the two apart.
                refreshedAfterRefusal = true
                log.warning("stream refused (" + reason.name + "): refreshing the token once")
                client.pause()
                onNeedToken?()
                return
            }
            if reason.isAuthenticationFailure {
                log.warning("stream refused again (" + reason.name + ") with a fresh token: another client of this account may be connected; retrying in "
                            + String(settings.notAuthorizedDelay.milliseconds / 1000) + " s")
                client.retry(after: settings.notAuthorizedDelay)
            } else if reason == .quotaExceeded {
                log.warning("stream refused: quota exceeded; waiting " + String(settings.quotaDelay.milliseconds / 1000) + " s")
                client.retry(after: settings.quotaDelay)
            }
            recordFailure()
        case .failed:
            recordFailure()
        }
    }

    private func disconnected(_ reason: MQTTDisconnectReason) {
        if case .broker(let code) = reason, code.isAuthenticationFailure {
            // The token ran out under us: refresh before the next try.
            refreshedAfterRefusal = true
            client.pause()
            onNeedToken?()
        }
    }

    private func recordFailure() {
        guard settings.breaker.recordFailure(at: loop.clock.now()) else { return }
        let cooldown = settings.breaker.cooldown
        log.error("stream: " + String(settings.breaker.threshold) + " failures within "
                  + String(settings.breaker.window.milliseconds / 1000) + " s; pausing for "
                  + String(cooldown.milliseconds / 1000) + " s (circuit breaker)")
        client.pause()
        breakerTimer = loop.after(cooldown) { [self] in
            self.breakerTimer = nil
            self.settings.breaker.reset()
            self.log.info("stream: circuit breaker closed, connecting again")
            self.client.resume()
        }
        onChange?()
    }
}
