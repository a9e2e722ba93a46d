/// The `error` of an OAuth error response (RFC 6749 5.2, RFC 8628 3.5), parsed from the
/// token endpoint's JSON body: what the service decides on, never a search in a text.
public enum OAuthErrorCode: Equatable, Sendable {
    /// The refresh token (or device code) is no longer taken: only a new login helps.
    case invalidGrant
    /// BMW does not know the client ID.
    case invalidClient
    /// The user declined the login.
    case accessDenied
    /// The user has not entered the code yet: poll again.
    case authorizationPending
    /// Poll slower.
    case slowDown
    /// The device code ran out.
    case expiredToken
    /// Another code, kept as the word BMW sent (letters, digits and `_` only).
    case other(String)

    /// The code for `word` as the body spelled it.
    public init(_ word: String) {
        switch word {
        case "invalid_grant": self = .invalidGrant
        case "invalid_client": self = .invalidClient
        case "access_denied": self = .accessDenied
        case "authorization_pending": self = .authorizationPending
        case "slow_down": self = .slowDown
        case "expired_token": self = .expiredToken
        default: self = .other(word)
        }
    }

    /// The word, as OAuth spells it (for logs and the state topic).
    public var name: String {
        switch self {
        case .invalidGrant: return "invalid_grant"
        case .invalidClient: return "invalid_client"
        case .accessDenied: return "access_denied"
        case .authorizationPending: return "authorization_pending"
        case .slowDown: return "slow_down"
        case .expiredToken: return "expired_token"
        case .other(let word): return word
        }
    }
}
