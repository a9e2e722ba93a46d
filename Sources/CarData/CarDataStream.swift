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

    /// BMW's rules for the shared cloud-broker session.
    var policy: CloudBrokerPolicy {
        CloudBrokerPolicy(backoff: backoff, refusedAgainDelay: notAuthorizedDelay, quotaDelay: quotaDelay, breaker: breaker)
    }

    public init(host: String, port: Int32, caFile: String?, clientID: String, vins: [String]) {
        self.host = host
        self.port = port
        self.caFile = caFile
        self.clientID = clientID
        self.vins = vins
    }
}

/// BMW's stream: one MQTT 5 + TLS (1.2 at least) connection per gcid (a second one is
/// refused), username gcid, password the current id_token, keepalive 30 s, clean start, QoS 1
/// subscriptions. The refusal policy, backoff, breaker and SUBACK handling are the shared
/// `CloudBrokerSession`'s; this keeps BMW's topics and where the token comes from.
public final class CarDataStream {
    public let session: CloudBrokerSession
    public let gcid: String
    private let log: Logger
    private let vins: [String]
    private var idToken: String
    /// Asked when the broker refused the token: refresh it, then call `use(idToken:)`.
    public var onNeedToken: (() -> Void)?
    /// Every stream message, on the loop thread.
    public var onMessage: ((MQTTMessage) -> Void)?
    /// Connection changes (for `state` and the LED).
    public var onChange: (() -> Void)?

    public init(settings: CarDataStreamSettings, gcid: String, idToken: String, loop: EventLoop, log: Logger)
        throws(UplinkError)
    {
        self.gcid = gcid
        self.idToken = idToken
        self.log = log
        vins = settings.vins
        var mqtt = MQTTSettings(host: settings.host, port: settings.port, clientID: settings.clientID)
        mqtt.protocolVersion = .v5
        mqtt.keepaliveSeconds = 30
        mqtt.cleanSession = settings.sessionExpirySeconds == 0
        if settings.sessionExpirySeconds > 0 { mqtt.sessionExpirySeconds = settings.sessionExpirySeconds }
        mqtt.debug = settings.debug
        if settings.useTLS {
            mqtt.tls = MQTTTLSSettings(caFile: settings.caFile,
                                       caDirectory: settings.caFile == nil ? MQTTTLSSettings.systemCADirectory : nil,
                                       minimumVersion: .tls12)
        }
        session = try CloudBrokerSession(name: log.name + ".stream", settings: mqtt, policy: settings.policy,
                                         loop: loop, log: Logger(log.name + ".stream"))
        session.credentials = { [self] in MQTTCredentials(username: self.gcid, password: self.idToken) }
        session.onNeedToken = { [self] _ in self.onNeedToken?() }
        session.onEvent = { [self] event in self.happened(event) }
        session.onStateChange = { [self] in self.onChange?() }
        for filter in topics {
            session.subscribe(filter, qos: 1) { [self] message in self.onMessage?(message) }
        }
    }

    /// `<gcid>/<VIN>` per VIN, or `<gcid>/+`.
    public var topics: [String] { vins.isEmpty ? [gcid + "/+"] : vins.map { gcid + "/" + $0 } }

    public var client: MQTTClient { session.client }
    public var refusals: Int { session.refusals }
    public var lastRefusal: MQTTReasonCode? { session.lastRefusal }
    public var breakerIsOpen: Bool { session.breakerIsOpen }
    public var breakerTrips: Int { session.breakerTrips }

    public func start() { session.start() }

    /// Disconnects for good (a stream is made per login and never restarted), letting go of
    /// the handlers, which capture this stream.
    public func stop(completion: @escaping () -> Void = {}) {
        session.close(grace: .milliseconds(200), completion: completion)
    }

    /// A fresh id_token: connect with it now (before BMW drops the old one at its expiry).
    public func use(idToken: String) {
        self.idToken = idToken
        session.tokenReady(reconnect: true)
    }

    private func happened(_ event: CloudBrokerEvent) {
        switch event {
        case .connected:
            log.info("stream connected; subscribing to " + topics.joined(separator: ", "))
        case .loginRefused(let code, afterFreshToken: true):
            // BMW says this for an expired token and for a second connection of the account:
            // the refresh told the two apart.
            log.warning("stream refused again (" + code.name + ") with a fresh token: another client of this account may be connected")
        case .subscriptionRefused, .subscribed, .breakerOpened, .breakerClosed:
            onChange?()
        default:
            break
        }
    }
}
