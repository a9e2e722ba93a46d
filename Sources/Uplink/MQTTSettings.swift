import Runtime
import Store

/// TLS for the broker connection. Certificate verification is on unless `insecure` says
/// otherwise, and `insecure` must be asked for explicitly.
public struct MQTTTLSSettings: Equatable {
    /// Where Debian keeps the system's trusted certificate authorities.
    public static let systemCADirectory = "/etc/ssl/certs"

    public var caFile: String?
    public var caDirectory: String?
    public var certificateFile: String?
    public var keyFile: String?
    /// Skip hostname verification (the certificate chain is still checked).
    public var insecure: Bool
    /// The oldest TLS version accepted; nil leaves it to OpenSSL's defaults.
    public var minimumVersion: MQTTTLSVersion?

    public init(caFile: String? = nil, caDirectory: String? = nil, certificateFile: String? = nil,
                keyFile: String? = nil, insecure: Bool = false, minimumVersion: MQTTTLSVersion? = nil) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.insecure = insecure
        self.minimumVersion = minimumVersion
    }
}

/// A TLS version floor (libmosquitto's `tls_version`: that version and newer are spoken).
public enum MQTTTLSVersion: Equatable {
    case tls12
    case tls13

    /// libmosquitto's word for it.
    public var name: String {
        switch self {
        case .tls12: return "tlsv1.2"
        case .tls13: return "tlsv1.3"
        }
    }
}

/// The last will: what the broker publishes for us if we vanish.
public struct MQTTWill: Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int32
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = true) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}

/// Everything one broker connection needs. One value per client: the gateway's local
/// uplink and each car service's cloud connection have their own.
public struct MQTTSettings: Equatable {
    public var host: String
    public var port: Int32
    public var clientID: String
    public var username: String?
    /// Sent to the broker only; never logged or shown.
    public var password: String?
    public var protocolVersion: MQTTProtocolVersion
    public var keepaliveSeconds: Int32
    public var cleanSession: Bool
    public var tls: MQTTTLSSettings?
    public var will: MQTTWill?
    /// Outbox bounds for QoS 1/2 messages published while disconnected.
    public var outboxMaxMessages: Int
    public var outboxMaxBytes: Int
    /// Where the outbox is saved when the client stops with messages in it, and loaded from
    /// at the next start; nil keeps the outbox in memory only.
    public var spoolPath: String?
    /// How often a changed, non-empty outbox is saved to `spoolPath` while running, so a
    /// SIGKILL or power cut loses at most this much; one write per period at most (SD cards).
    public var spoolInterval: Interval
    /// Messages handed to libmosquitto and not yet acknowledged, at most.
    public var maxInflight: Int
    /// QoS 0 messages waiting in libmosquitto's (unbounded) send queue, at most; beyond it a
    /// new QoS 0 message is dropped and counted, as QoS 0 allows.
    public var maxQoS0Backlog: Int
    /// Log libmosquitto's own messages at debug level.
    public var debug: Bool
    /// MQTT 5 user properties sent in every CONNECT (before the credentials provider's).
    public var userProperties: [MQTTUserProperty]
    /// MQTT 5 session expiry interval to ask for in CONNECT; nil sends none (the session
    /// ends with the connection when `cleanSession` is set).
    public var sessionExpirySeconds: UInt32?

    public init(host: String = "localhost", port: Int32 = 1883, clientID: String) {
        self.host = host
        self.port = port
        self.clientID = clientID
        username = nil
        password = nil
        protocolVersion = .v311
        keepaliveSeconds = 60
        cleanSession = true
        tls = nil
        will = nil
        outboxMaxMessages = 1000
        outboxMaxBytes = 1 << 20
        spoolPath = nil
        spoolInterval = .seconds(10)
        maxInflight = 100
        maxQoS0Backlog = 10_000
        debug = false
        userProperties = []
        sessionExpirySeconds = nil
    }

    /// "host:port" plus "(TLS)" when encrypted, for logs and status.
    public var endpoint: String {
        "\(host):\(port)" + (tls == nil ? "" : " (TLS)")
    }
}
