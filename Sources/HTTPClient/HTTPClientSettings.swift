import Runtime

/// How the gateway's one HTTP client behaves; the gateway fills it from `http.*` config keys.
public struct HTTPClientSettings {
    /// Directory of trusted CA certificates (OpenSSL hashed layout), used unless a request
    /// names its own CA file.
    public var caDirectory: String
    /// A PEM bundle trusted in addition to the directory; empty for none.
    public var caFile: String
    /// Requests running at once. One more is refused with `.busy`, never queued: the caller
    /// owns its retry policy, and a stuck server cannot pile up memory here.
    public var maxInFlight: Int
    /// A request's whole-transfer timeout when it sets none.
    public var defaultTimeout: Interval
    /// Time allowed to connect (TCP and TLS), within the whole timeout.
    public var connectTimeout: Interval
    /// Cap on a response (headers and body) when the request sets none.
    public var maxResponseBytes: Int
    public var userAgent: String

    public init(caDirectory: String = "/etc/ssl/certs", caFile: String = "", maxInFlight: Int = 16,
                defaultTimeout: Interval = .seconds(30), connectTimeout: Interval = .seconds(10),
                maxResponseBytes: Int = 1 << 20, userAgent: String = "switchyard") {
        self.caDirectory = caDirectory
        self.caFile = caFile
        self.maxInFlight = maxInFlight
        self.defaultTimeout = defaultTimeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.userAgent = userAgent
    }
}
