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
    /// The broker refused the login although the access token is fresh: the TOTP's key, the
    /// FCM push token (`skoda.fcm_token`), is stale (`refusal`: the broker's reason).
    case staleFCMToken(refusal: String)

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
        case .staleFCMToken(let refusal):
            return "MySkoda broker refused the login (" + refusal + ") with a fresh token: renew skoda.fcm_token"
        }
    }

    /// What a person does about it, in words (for the log; `description` is the short form).
    public var advice: String {
        guard case .staleFCMToken(let refusal) = self else { return description }
        return "MySkoda broker refused the login (" + refusal + ") although the access token is fresh: the TOTP "
            + "derived from skoda.fcm_token is not accepted, so that FCM push token is stale. Register a new one "
            + "(as the MySkoda app does: Firebase registration, then PUT /v1/notifications-subscriptions/<token>; "
            + "the Home Assistant myskoda integration shows it as fcm_token) and `config set skoda.fcm_token <token>`. "
            + "Retrying with backoff meanwhile; no more token refreshes until then."
    }
}
