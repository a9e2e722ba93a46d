/// Everything the CarData module can fail with; each case reads as one line for a log.
public enum CarDataError: Error, Equatable {
    /// Bytes that are not what BMW sends (why).
    case malformed(String)
    /// The token endpoint said no (its `error`, e.g. access_denied, invalid_grant).
    case refused(String)
    /// The token endpoint answered `request` (a device code, a refresh) with HTTP `status`
    /// and the OAuth error `code` of its JSON body (nil: the body was not an OAuth error).
    case tokenRefused(request: String, status: Int, code: OAuthErrorCode?)
    /// No login yet, or it ran out.
    case notLoggedIn(String)
    /// A file could not be read or written (which, why).
    case file(String)
    /// The HTTP exchange failed (why; never a token).
    case transport(String)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed: " + why
        case .refused(let why): return "refused: " + why
        case .tokenRefused(let request, let status, let code):
            let hint = code == .invalidClient ? " (check bmw.client_id)" : ""
            return "refused: " + request + ": HTTP " + String(status) + (code.map { " " + $0.name } ?? "") + hint
        case .notLoggedIn(let why): return "not logged in: " + why
        case .file(let why): return why
        case .transport(let why): return why
        }
    }
}
