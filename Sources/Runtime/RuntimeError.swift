import CSupport

/// Everything the Runtime module can fail with. A would-block or a timeout is a value, not
/// an error; a bad descriptor is a programmer bug and traps instead.
public enum RuntimeError: Error, Equatable, Sendable {
    /// A system call failed; `call` names it, `errno` says why.
    case system(call: String, errno: Errno)
    /// A ring or table was asked for a size it cannot have.
    case invalidCapacity(Int)
    /// A thread could not be started.
    case threadStart(Errno)

    /// One line for a log or a console: what failed and why.
    public var description: String {
        switch self {
        case .system(let call, let errno):
            return "\(call) failed: \(errno.description)"
        case .invalidCapacity(let capacity):
            return "invalid capacity \(capacity): must be a power of two >= 2"
        case .threadStart(let errno):
            return "cannot start thread: \(errno.description)"
        }
    }
}
