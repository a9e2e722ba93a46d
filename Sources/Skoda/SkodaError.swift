/// What the Skoda service can fail with. Never carries a token: reasons are safe to log.
public enum SkodaError: Error, Equatable {
    /// A required setting is missing or cannot work.
    case setting(key: String, reason: String)
    /// The refresh endpoint could not be reached or timed out (`reason` from the HTTP client).
    case refreshUnreachable(String)
    /// The refresh endpoint refused the refresh token (401/403): a new app login is needed.
    case refreshRejected(status: Int)
    /// The refresh endpoint answered something we cannot use (HTML, garbage, a 5xx).
    case refreshMalformed(String)
    /// A token is not a JWT we can read an expiry from.
    case badToken(String)
    /// The token file in the data directory cannot be read or written.
    case tokenFile(String)

    /// One line for a log, `state` or a console.
    public var description: String {
        switch self {
        case .setting(let key, let reason): return key + ": " + reason
        case .refreshUnreachable(let reason): return "token refresh failed: " + reason
        case .refreshRejected(let status):
            return "token refresh rejected (HTTP \(status)): log in again and set skoda.refresh_token"
        case .refreshMalformed(let reason): return "token refresh answer unusable: " + reason
        case .badToken(let reason): return "token unreadable: " + reason
        case .tokenFile(let reason): return "token file: " + reason
        }
    }
}
