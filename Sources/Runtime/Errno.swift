import CSupport

/// A POSIX error number with a readable description (`strerror`).
public struct Errno: Equatable, Hashable, Sendable {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    public static var current: Errno { Errno(sy_errno()) }

    public static let interrupted = Errno(EINTR)
    public static let wouldBlock = Errno(EAGAIN)
    public static let badDescriptor = Errno(EBADF)
    public static let badAddress = Errno(EFAULT)
    public static let noSuchFile = Errno(ENOENT)
    public static let exists = Errno(EEXIST)
    public static let inProgress = Errno(EINPROGRESS)

    /// `strerror` text plus the symbolic number, e.g. "No such file or directory (errno 2)".
    public var description: String {
        var text = "errno \(rawValue)"
        if let message = strerror(rawValue) {
            text = String(cString: message) + " (errno \(rawValue))"
        }
        return text
    }
}
