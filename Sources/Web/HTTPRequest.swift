/// A request as the dashboard's router sees it: method, path and the basic-auth credentials
/// it came with. No libmicrohttpd type leaks past `HTTPDaemon`.
struct HTTPRequest {
    /// `GET`, `HEAD` or `POST` (other methods are refused before routing).
    let method: String
    /// The path without the query string, e.g. `/api/state`.
    let path: String
    /// User name and password from an `Authorization: Basic` header, if any. Never logged.
    let credentials: (user: String, password: String)?
    /// Who sent it, as the login throttle counts clients.
    let client: ClientAddress
    /// A POST's body (at most `HTTPDaemon.maxBody` bytes); empty otherwise.
    var body: [UInt8] = []
    /// The `X-CSRF-Token` header: a page of this dashboard sends the token it was served with.
    var csrfToken: String? = nil
    /// `X-Confirm: yes`: the person said yes to a privileged action whose body is not JSON
    /// (an upload), as `"confirm": true` says it in an action's body.
    var confirmed = false
}

/// A complete response held in memory (the page, a JSON document, the metrics text).
struct HTTPResponse {
    let status: Int
    let contentType: String
    let body: [UInt8]
    /// Extra header lines (name, value).
    var headers: [(String, String)] = []

    /// A response with `text` as its body.
    static func text(_ status: Int, _ text: String, type: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, contentType: type, body: Array(text.utf8))
    }
}

/// What the router answers: a response, a live event stream, or a demand for credentials.
enum HTTPReply {
    case response(HTTPResponse)
    /// `text/event-stream`: stays open, starts with `first`, then carries what is broadcast.
    case eventStream(first: EventBytes?)
    /// 401 with `WWW-Authenticate: Basic realm=...` and `body` for those who cancel.
    case authenticate(realm: String, body: HTTPResponse)
}

/// Answers requests; called on the loop thread from inside `HTTPDaemon.run()`.
protocol HTTPRequestHandler: AnyObject {
    func respond(to request: HTTPRequest) -> HTTPReply
    /// A POST of `length` bytes, its headers read and none of its body: nil when its path
    /// takes no large body (it is then a small POST, answered by `respond`); else whether
    /// to take it and where its bytes go.
    func upload(_ request: HTTPRequest, length: Int) -> HTTPUploadStart?
}

/// Where a large POST body goes as it arrives (never held in memory whole).
protocol HTTPUploadSink: AnyObject {
    /// The next piece of the body.
    func write(_ bytes: UnsafeRawBufferPointer)
    /// The whole body is in: the answer.
    func finish() -> HTTPResponse
    /// The client left before the end, or the daemon stopped: nothing of it may stay.
    func abandon()
}

/// A large POST taken, or answered at once (before a byte of its body is read).
enum HTTPUploadStart {
    case accept(HTTPUploadSink)
    case refuse(HTTPReply)
}
