import Runtime

/// One HTTP(S) request: what to send and how long and how much to wait for.
///
/// Headers and body often carry secrets (bearer tokens, refresh tokens, passwords): the client
/// never logs them, and neither should the caller.
public struct HTTPRequest {
    public var method: HTTPMethod
    public var url: String
    public var headers: [HTTPHeader]
    /// Sent as is; `Content-Type` comes from `headers` (the constructors below set it).
    public var body: [UInt8]
    /// The whole request, connect included; nil takes the client's default.
    public var timeout: Interval?
    /// Cap on response headers plus body; nil takes the client's default. Past it the
    /// transfer is aborted and completes with `.tooLarge`.
    public var maxResponseBytes: Int?
    /// A PEM CA file to trust instead of the client's CA directory (a private server).
    public var caFile: String
    /// A PEM client certificate and its key, for servers that identify devices by certificate.
    public var clientCertificateFile: String
    public var clientKeyFile: String
    /// Whether to follow 3xx redirects (at most 5). Off by default: an API that redirects
    /// a token request is usually misconfigured.
    public var followRedirects: Bool

    public init(method: HTTPMethod = .get, url: String, headers: [HTTPHeader] = [], body: [UInt8] = [],
                timeout: Interval? = nil, maxResponseBytes: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.caFile = ""
        self.clientCertificateFile = ""
        self.clientKeyFile = ""
        self.followRedirects = false
    }

    /// A GET of `url`.
    public static func get(_ url: String, headers: [HTTPHeader] = []) -> HTTPRequest {
        HTTPRequest(method: .get, url: url, headers: headers)
    }

    /// A POST of `fields` as `application/x-www-form-urlencoded` (percent-encoded by libcurl).
    public static func postForm(_ url: String, fields: [HTTPHeader], headers: [HTTPHeader] = []) -> HTTPRequest {
        var all = headers
        all.append(HTTPHeader("Content-Type", "application/x-www-form-urlencoded"))
        return HTTPRequest(method: .post, url: url, headers: all, body: Array(FormEncoding.encode(fields).utf8))
    }

    /// A POST of `json` (already serialised, e.g. by the JSON module) as `application/json`.
    public static func postJSON(_ url: String, json: String, headers: [HTTPHeader] = []) -> HTTPRequest {
        var all = headers
        all.append(HTTPHeader("Content-Type", "application/json"))
        return HTTPRequest(method: .post, url: url, headers: all, body: Array(json.utf8))
    }

    /// Adds a header (e.g. `Authorization: Bearer ...`).
    public mutating func add(_ name: String, _ value: String) {
        headers.append(HTTPHeader(name, value))
    }

    /// The URL without its query or fragment: what a log line may show (a query can hold a key).
    public var redactedURL: String {
        var out = ""
        for character in url {
            if character == "?" || character == "#" { break }
            out.append(character)
        }
        return out
    }
}
