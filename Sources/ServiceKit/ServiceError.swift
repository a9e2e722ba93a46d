import Runtime

/// Why a service could not start: each case renders as one line that says what to do.
public enum ServiceError: Error, Equatable {
    /// A setting cannot work (`can.bitrate 300`); `reason` names what is allowed.
    case invalidSetting(key: String, reason: String)
    /// Something it needs is not there yet (no such interface, device unplugged).
    case unavailable(String)
    /// A system call failed while setting up.
    case runtime(RuntimeError)
    /// Anything else, as a sentence.
    case failed(String)

    public var description: String {
        switch self {
        case .invalidSetting(let key, let reason): return key + ": " + reason
        case .unavailable(let what): return what
        case .runtime(let error): return error.description
        case .failed(let text): return text
        }
    }
}
