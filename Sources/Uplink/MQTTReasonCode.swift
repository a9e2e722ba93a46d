/// A broker's verdict on a connection: a CONNACK's return code (MQTT 3.1/3.1.1: 0...5) or
/// reason code (MQTT 5: 0 or 128 and up), or the reason in a broker's MQTT 5 DISCONNECT.
///
/// The two numberings do not overlap above 0, so one mapping serves every protocol version:
/// a cloud service can react to `.notAuthorized` without knowing which version it speaks.
public enum MQTTReasonCode: Equatable, Sendable {
    case success
    case unsupportedProtocolVersion
    case clientIdentifierNotValid
    case serverUnavailable
    case serverBusy
    /// 3.1.1 rc 4, MQTT 5 134: the username or password was not accepted.
    case badCredentials
    /// 3.1.1 rc 5, MQTT 5 135: e.g. an expired token, or a second connection for one account.
    case notAuthorized
    case banned
    case badAuthenticationMethod
    case sessionTakenOver
    case keepAliveTimeout
    case serverShuttingDown
    case protocolError
    /// MQTT 5 151: the broker wants us to wait before trying again.
    case quotaExceeded
    /// MQTT 5 159.
    case connectionRateExceeded
    /// Any other code, kept as it came.
    case other(Int32)

    public init(code: Int32) {
        switch code {
        case 0: self = .success
        case 1, 132: self = .unsupportedProtocolVersion
        case 2, 133: self = .clientIdentifierNotValid
        case 3, 136: self = .serverUnavailable
        case 4, 134: self = .badCredentials
        case 5, 135: self = .notAuthorized
        case 130: self = .protocolError
        case 137: self = .serverBusy
        case 138: self = .banned
        case 139: self = .serverShuttingDown
        case 140: self = .badAuthenticationMethod
        case 141: self = .keepAliveTimeout
        case 142: self = .sessionTakenOver
        case 151: self = .quotaExceeded
        case 159: self = .connectionRateExceeded
        default: self = .other(code)
        }
    }

    /// The MQTT 5 number for the code (3.1.1's are mapped up), for logs and `state`.
    public var code: Int32 {
        switch self {
        case .success: return 0
        case .unsupportedProtocolVersion: return 132
        case .clientIdentifierNotValid: return 133
        case .serverUnavailable: return 136
        case .serverBusy: return 137
        case .badCredentials: return 134
        case .notAuthorized: return 135
        case .banned: return 138
        case .badAuthenticationMethod: return 140
        case .sessionTakenOver: return 142
        case .keepAliveTimeout: return 141
        case .serverShuttingDown: return 139
        case .protocolError: return 130
        case .quotaExceeded: return 151
        case .connectionRateExceeded: return 159
        case .other(let code): return code
        }
    }

    /// Whether the broker refused who we are (a fresh token may help; retrying the same will not).
    public var isAuthenticationFailure: Bool {
        self == .notAuthorized || self == .badCredentials || self == .badAuthenticationMethod
    }

    /// Words for logs and status lines.
    public var name: String {
        switch self {
        case .success: return "success"
        case .unsupportedProtocolVersion: return "unsupported protocol version"
        case .clientIdentifierNotValid: return "client identifier not valid"
        case .serverUnavailable: return "server unavailable"
        case .serverBusy: return "server busy"
        case .badCredentials: return "bad user name or password"
        case .notAuthorized: return "not authorized"
        case .banned: return "banned"
        case .badAuthenticationMethod: return "bad authentication method"
        case .sessionTakenOver: return "session taken over"
        case .keepAliveTimeout: return "keep alive timeout"
        case .serverShuttingDown: return "server shutting down"
        case .protocolError: return "protocol error"
        case .quotaExceeded: return "quota exceeded"
        case .connectionRateExceeded: return "connection rate exceeded"
        case .other(let code): return "reason code " + String(code)
        }
    }
}

/// How one connect attempt ended, for `MQTTClient.onConnectResult`.
public enum MQTTConnectResult: Equatable {
    /// CONNACK with success.
    case accepted
    /// The broker answered with a refusal.
    case refused(MQTTReasonCode)
    /// No CONNACK: name resolution, TCP, TLS or the credentials provider failed (why).
    case failed(String)
}

/// Why an established connection ended, for `MQTTClient.onDisconnect`.
public enum MQTTDisconnectReason: Equatable {
    /// We asked for it: `pause`, `reconnect`, `stop`.
    case requested
    /// The broker sent an MQTT 5 DISCONNECT with this reason.
    case broker(MQTTReasonCode)
    /// The connection dropped without a word: keepalive, socket error, broker gone (why).
    case lost(String)
}

extension MQTTReasonCode {
    /// Words for a SUBACK's refusal code: 0x80 is MQTT 3.1.1's only one (MQTT 5's
    /// "unspecified error"); MQTT 5 names the rest. The CONNACK numbering above does not apply:
    /// 0...2 in a SUBACK are granted QoS.
    public static func subscriptionRefusal(_ code: Int32) -> String {
        switch code {
        case 0x80: return "refused"
        case 0x83: return "implementation specific error"
        case 0x87: return "not authorized"
        case 0x8F: return "topic filter invalid"
        case 0x91: return "packet identifier in use"
        case 0x97: return "quota exceeded"
        case 0x9E: return "shared subscriptions not supported"
        case 0xA1: return "subscription identifiers not supported"
        case 0xA2: return "wildcard subscriptions not supported"
        default: return "reason code " + String(code)
        }
    }
}
