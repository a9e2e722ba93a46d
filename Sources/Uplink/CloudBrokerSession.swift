import Contracts
import Runtime

/// A connection to a car maker's MQTT broker whose password is a short-lived token: what
/// BMW's CarData stream and MySkoda's push broker share.
///
/// - Credentials are asked of the owner at every connect (`credentials`); none (nil) means
///   the token is gone: the session pauses and asks for one (`onNeedToken`).
/// - A login refused as not authorized asks for a fresh token once, then reconnects; refused
///   again, it backs off (`CloudBrokerPolicy.refusedAgainDelay`). "Quota exceeded" waits as
///   the policy says. A broker dropping us as not authorized asks for a token too.
/// - A refused subscription (SUBACK 0x80 and up) is a failure, never "connected and silent":
///   one fresh token and a reconnect, then reconnects with the backoff until it is granted.
/// - Repeated failures open the circuit breaker, when the policy has one.
///
/// The owner keeps what is its own: topics, decoding and where tokens come from. It calls
/// `tokenReady` when a fresh token is there.
public final class CloudBrokerSession {
    public let client: MQTTClient
    private let loop: EventLoop
    private let log: Logger
    private var policy: CloudBrokerPolicy
    /// Asked before every connect attempt; nil: no usable token (the session asks for one).
    public var credentials: (() -> MQTTCredentials?)?
    /// Asked for a fresh token (why); answer with `tokenReady`.
    public var onNeedToken: ((String) -> Void)?
    /// What happened, for the owner's health and status.
    public var onEvent: ((CloudBrokerEvent) -> Void)?
    /// Connection changes (for `state` and the LED).
    public var onStateChange: (() -> Void)?
    /// CONNACK refusals so far, and the last one.
    public private(set) var refusals = 0
    public private(set) var lastRefusal: MQTTReasonCode?
    /// The refused subscription of this connection, until every one is granted.
    public private(set) var subscriptionRefusal: CloudSubscriptionRefusal?
    /// Refused SUBACKs so far.
    public private(set) var subscriptionRefusals = 0
    /// Whether the session paused the client until a fresh token comes.
    public private(set) var awaitingToken = false

    private var refreshedAfterRefusal = false
    private var refreshedAfterSubscriptionRefusal = false
    // Grows while subscriptions stay refused; a connect resets the client's own backoff,
    // so it cannot pace these.
    private var subscriptionBackoff: ReconnectBackoff
    private var subscriptionRetry: OneShotTimer?
    private var breakerTimer: OneShotTimer?
    private var subscriptions: [PortToken] = []

    public init(name: String, settings: MQTTSettings, policy: CloudBrokerPolicy, loop: EventLoop, log: Logger)
        throws(UplinkError)
    {
        self.policy = policy
        self.loop = loop
        self.log = log
        subscriptionBackoff = policy.backoff
        client = try MQTTClient(name: name, settings: settings, loop: loop)
        client.backoff = policy.backoff
        // These capture the session; `close` lets go of them.
        client.credentialsProvider = { [self] in self.connectCredentials() }
        client.onConnectResult = { [self] result in self.connectResult(result) }
        client.onDisconnect = { [self] reason in self.disconnected(reason) }
        client.onStateChange = { [self] _ in self.onStateChange?() }
    }

    /// Subscribes `filter`; the broker's answer is watched after every connect.
    public func subscribe(_ filter: String, qos: Int32, _ handler: @escaping (MQTTMessage) -> Void) {
        let token = client.subscribe(filter, qos: qos, acknowledged: { [self] grant in
            self.answered(filter, grant)
        }, handler)
        subscriptions.append(token)
    }

    public func start() { client.start() }

    /// Disconnects for good and lets go of every handler (they capture the owner).
    public func close(grace: Interval, completion: @escaping () -> Void = {}) {
        breakerTimer?.cancel()
        breakerTimer = nil
        subscriptionRetry?.cancel()
        subscriptionRetry = nil
        onNeedToken = nil
        onEvent = nil
        onStateChange = nil
        credentials = nil
        client.close(grace: grace, completion: completion)
    }

    /// A fresh token is there: a paused session connects with it (unless the breaker or a
    /// subscription retry holds it off); a live one reconnects when `reconnect` says so.
    public func tokenReady(reconnect: Bool) {
        awaitingToken = false
        if client.isPaused {
            if !breakerIsOpen && subscriptionRetry == nil { client.resume() }
        } else if reconnect {
            client.reconnect()
        }
    }

    /// Disconnects and asks for a fresh token (a suspend, an expired token).
    public func needToken(_ reason: String) {
        awaitingToken = true
        client.pause()
        onNeedToken?(reason)
    }

    public var breakerIsOpen: Bool { policy.breaker?.isOpen(at: loop.clock.now()) ?? false }
    public var breakerTrips: Int { policy.breaker?.trips ?? 0 }

    // MARK: the broker's answers

    private func connectCredentials() -> MQTTCredentials? {
        if let credentials = credentials?() { return credentials }
        needToken("no usable token to connect with")
        return nil
    }

    private func connectResult(_ result: MQTTConnectResult) {
        switch result {
        case .accepted:
            refreshedAfterRefusal = false
            policy.breaker?.reset()
            onEvent?(.connected)
        case .refused(let code):
            refusals += 1
            lastRefusal = code
            if code.isAuthenticationFailure {
                if !refreshedAfterRefusal {
                    // Once: an expired or revoked token is the usual cause; a fresh one tells.
                    refreshedAfterRefusal = true
                    log.warning("broker refused the login (" + code.name + "): fetching a fresh token, once")
                    onEvent?(.loginRefused(code, afterFreshToken: false))
                    needToken("broker said " + code.name)
                    return
                }
                onEvent?(.loginRefused(code, afterFreshToken: true))
                if let delay = policy.refusedAgainDelay { client.retry(after: delay) }
            } else if code == .quotaExceeded {
                log.warning("broker refused: quota exceeded; waiting "
                            + String(policy.quotaDelay.milliseconds / 1000) + " s")
                client.retry(after: policy.quotaDelay)
                onEvent?(.quotaExceeded)
            } else {
                onEvent?(.unreachable("broker refused: " + code.name))
            }
            recordFailure()
        case .failed(let why):
            // The attempt the session itself stopped for want of a token is no failure.
            guard !awaitingToken else { return }
            onEvent?(.unreachable(why))
            recordFailure()
        }
    }

    private func disconnected(_ reason: MQTTDisconnectReason) {
        if case .broker(let code) = reason, code.isAuthenticationFailure {
            // The token ran out under us: a fresh one before the next try.
            refreshedAfterRefusal = true
            needToken("broker dropped the connection: " + code.name)
        }
    }

    private func answered(_ filter: String, _ grant: SubscriptionGrant) {
        guard case .refused(let code, let reason) = grant else {
            if subscriptions.allSatisfy({ client.grant(of: $0)?.isGranted == true }) {
                refreshedAfterSubscriptionRefusal = false
                subscriptionBackoff.reset()
                if subscriptionRefusal != nil {
                    subscriptionRefusal = nil
                    log.info("every subscription granted again")
                }
                onEvent?(.subscribed)
            }
            return
        }
        subscriptionRefusals += 1
        let refusal = CloudSubscriptionRefusal(filter: filter, code: code, reason: reason)
        subscriptionRefusal = refusal
        // Several filters refused on one connection: the first one already acted.
        guard !client.isPaused else { return }
        let again = refreshedAfterSubscriptionRefusal
        onEvent?(.subscriptionRefused(filter: filter, code: code, reason: reason, afterFreshToken: again))
        if recordFailure() { return }
        if !again {
            refreshedAfterSubscriptionRefusal = true
            log.warning(refusal.description + ": connected but deaf; a fresh token and a reconnect, once")
            needToken(refusal.description)
            return
        }
        let delay = subscriptionBackoff.nextDelay()
        log.warning(refusal.description + " again: reconnecting in " + String(delay.milliseconds) + " ms")
        client.pause()
        subscriptionRetry = loop.after(delay) { [self] in
            self.subscriptionRetry = nil
            if !self.awaitingToken && !self.breakerIsOpen { self.client.resume() }
        }
    }

    /// Counts a failure; true when it opened the breaker (the client is then paused).
    @discardableResult
    private func recordFailure() -> Bool {
        guard policy.breaker != nil, policy.breaker!.recordFailure(at: loop.clock.now()) else { return false }
        let breaker = policy.breaker!
        log.error(String(breaker.threshold) + " failures within " + String(breaker.window.milliseconds / 1000)
                  + " s; pausing for " + String(breaker.cooldown.milliseconds / 1000) + " s (circuit breaker)")
        client.pause()
        breakerTimer = loop.after(breaker.cooldown) { [self] in
            self.breakerTimer = nil
            self.policy.breaker?.reset()
            self.log.info("circuit breaker closed, connecting again")
            self.onEvent?(.breakerClosed)
            if !self.awaitingToken { self.client.resume() }
        }
        onEvent?(.breakerOpened(cooldown: breaker.cooldown))
        return true
    }
}
