import Runtime

/// Everything the CAN module can fail with. A malformed frame or payload is not an error:
/// it is dropped and counted (`CANMalformation`), and the tunnel keeps running.
public enum CANError: Error, Equatable {
    /// A system call on the bus failed; `call` names it.
    case system(call: String, errno: Errno)
    /// The bus cannot be opened: no such interface or device, no CAN support in the kernel.
    case unavailable(String)
    /// A setting is out of range or contradicts another; the text says what is allowed.
    case invalidSettings(String)
    /// The bus was asked to do something while closed.
    case notOpen
    /// A Runtime facility (ring, thread, eventfd) could not be set up.
    case runtime(RuntimeError)

    /// One line for a log or a console: what failed and why.
    public var description: String {
        switch self {
        case .system(let call, let errno): return call + " failed: " + errno.description
        case .unavailable(let text): return text
        case .invalidSettings(let text): return text
        case .notOpen: return "the CAN bus is not open"
        case .runtime(let error): return error.description
        }
    }

    /// Maps a Runtime system-call failure onto this module's error.
    static func from(_ error: RuntimeError) -> CANError {
        if case .system(let call, let errno) = error { return .system(call: call, errno: errno) }
        return .runtime(error)
    }
}
