import Uplink

/// Why the CarData service is not streaming, when it is not: what it decides on and shows
/// (`problem` in its `state` block, the detail of its degraded health) as `description`.
public enum CarDataProblem: Equatable {
    /// No login saved: a person must run `bmw login`.
    case notLoggedIn
    /// The device-code login failed and there is no saved login to go on with.
    case loginFailed(CarDataError)
    /// BMW no longer takes the saved refresh token (OAuth `invalid_grant`): only a new
    /// login helps.
    case loginRefused(CarDataError)
    /// A refresh failed for a reason that may pass (network, BMW down); the next try is in
    /// `retrySeconds`.
    case refreshFailed(CarDataError, retrySeconds: Int64)
    /// The connection to BMW's stream could not be set up.
    case streamSetupFailed(UplinkError)

    /// One line for the state topic, `bmw status` and the log.
    public var description: String {
        switch self {
        case .notLoggedIn:
            return "not logged in: run `switchyard bmw login` (or `bmw login` on the console)"
        case .loginFailed(let error):
            return "login failed: " + error.description
        case .loginRefused(let error):
            return "the saved login was refused (" + error.description + "): run `bmw login` again"
        case .refreshFailed(let error, let seconds):
            return error.description + "; retrying in " + String(seconds) + " s"
        case .streamSetupFailed(let error):
            return "cannot set up the stream: " + error.description
        }
    }
}
