/// Why a request got no response. An HTTP status such as 404 or 500 is not here: that is a
/// response (`HTTPResponse.status`), and the caller decides what it means.
public enum HTTPClientError: Error, Equatable {
    /// The request or its connection took longer than its timeout.
    case timeout
    /// The host could not be resolved or reached (refused, unreachable); `reason` is curl's.
    case connect(String)
    /// The TLS handshake failed: an unknown CA, a wrong host name, a bad client certificate.
    case tls(String)
    /// The response (headers and body) grew past the request's size cap; the rest was dropped.
    case tooLarge(limit: Int)
    /// `HTTPClient.maxInFlight` requests are already running: this one was refused, not queued.
    case busy(limit: Int)
    /// The request cannot be sent as given (an empty URL, a header with a line break).
    case invalidRequest(String)
    /// Any other libcurl failure, with curl's code and message.
    case curl(code: Int32, message: String)

    /// One line for a log or a console. Never holds a header or body (they may carry secrets).
    public var description: String {
        switch self {
        case .timeout: return "timed out"
        case .connect(let reason): return "cannot connect: " + reason
        case .tls(let reason): return "TLS failed: " + reason
        case .tooLarge(let limit): return "response larger than \(limit) bytes"
        case .busy(let limit): return "too many requests in flight (limit \(limit)); try again later"
        case .invalidRequest(let reason): return "invalid request: " + reason
        case .curl(let code, let message): return "curl error \(code): " + message
        }
    }
}
