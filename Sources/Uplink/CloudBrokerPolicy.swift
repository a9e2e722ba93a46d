import Runtime

/// How a `CloudBrokerSession` reacts to a cloud broker's answers: its reconnect backoff, the
/// waits a broker asks for, and the circuit breaker. Each car service fills in its own rules.
public struct CloudBrokerPolicy {
    /// Between reconnects, and between tries after a subscription refused again.
    public var backoff: ReconnectBackoff
    /// Wait after a login refused again with a fresh token (BMW: another client of the
    /// account is connected, 30 s); nil keeps the backoff's next step.
    public var refusedAgainDelay: Interval?
    /// Wait after "quota exceeded" (BMW: 60 s).
    public var quotaDelay: Interval
    /// nil: no breaker (a broker whose app retries on its own schedule).
    public var breaker: CircuitBreaker?

    public init(backoff: ReconnectBackoff, refusedAgainDelay: Interval? = nil, quotaDelay: Interval = .seconds(60),
                breaker: CircuitBreaker? = nil) {
        self.backoff = backoff
        self.refusedAgainDelay = refusedAgainDelay
        self.quotaDelay = quotaDelay
        self.breaker = breaker
    }
}

/// What a `CloudBrokerSession` tells its owner, for health, logs and status.
public enum CloudBrokerEvent: Equatable {
    /// CONNACK accepted (the subscriptions are still to be answered).
    case connected
    /// The login was refused; `afterFreshToken`: the one refresh already did not help.
    case loginRefused(MQTTReasonCode, afterFreshToken: Bool)
    /// The broker said "quota exceeded": waiting `CloudBrokerPolicy.quotaDelay`.
    case quotaExceeded
    /// No CONNACK, or a refusal that is neither about who we are nor a quota (why).
    case unreachable(String)
    /// Connected but deaf: the SUBACK for `filter` refused it with `code` (0x80 and up).
    case subscriptionRefused(filter: String, code: Int32, reason: String, afterFreshToken: Bool)
    /// Every subscription of this connection granted.
    case subscribed
    /// Too many failures: no connect for `cooldown`.
    case breakerOpened(cooldown: Interval)
    /// The cooldown is over; connecting again.
    case breakerClosed

    /// What is wrong, in words for a health line; nil for good news and a first refusal
    /// (a fresh token is on its way).
    public var problem: String? {
        switch self {
        case .loginRefused(let code, afterFreshToken: true):
            return "refused the login (" + code.name + ") with a fresh token"
        case .quotaExceeded: return "quota exceeded"
        case .unreachable(let why): return "unreachable: " + why
        case .subscriptionRefused(let filter, let code, let reason, _):
            return CloudSubscriptionRefusal(filter: filter, code: code, reason: reason).description
        case .breakerOpened(let cooldown):
            return "paused for " + String(cooldown.milliseconds / 1000) + " s by the circuit breaker"
        default: return nil
        }
    }
}

/// A subscription the broker refused on the current connection.
public struct CloudSubscriptionRefusal: Equatable {
    public let filter: String
    public let code: Int32
    public let reason: String

    public init(filter: String, code: Int32, reason: String) {
        self.filter = filter
        self.code = code
        self.reason = reason
    }

    /// "subscription to <filter> refused: <reason> (<code>)", for health and logs.
    public var description: String {
        "subscription to " + filter + " refused: " + reason + " (" + String(code) + ")"
    }
}
