import CSupport

/// The outcome of a call that may not complete without blocking.
public enum IOResult<Value>: Equatable where Value: Equatable {
    case done(Value)
    case wouldBlock
}

/// Every libc call in Switchyard goes through here: loops on EINTR, turns EAGAIN into
/// `.wouldBlock`, traps on EBADF/EFAULT (programmer bugs, not runtime conditions), and turns
/// the rest into a `RuntimeError.system` carrying the call's name.
public enum SystemCall {
    /// Runs `body` until it does not fail with EINTR; `-1` means failure with errno set.
    @inline(__always)
    public static func retrying<R: BinaryInteger>(
        _ name: String, _ body: () -> R
    ) throws(RuntimeError) -> R {
        while true {
            let result = body()
            if result != -1 { return result }
            let errno = Errno.current
            if errno == .interrupted { continue }
            try fail(name, errno)
        }
    }

    /// Like `retrying`, but EAGAIN/EWOULDBLOCK comes back as `.wouldBlock`.
    @inline(__always)
    public static func nonBlocking<R: BinaryInteger>(
        _ name: String, _ body: () -> R
    ) throws(RuntimeError) -> IOResult<R> {
        while true {
            let result = body()
            if result != -1 { return .done(result) }
            let errno = Errno.current
            if errno == .interrupted { continue }
            if errno == .wouldBlock || errno.rawValue == EWOULDBLOCK { return .wouldBlock }
            try fail(name, errno)
        }
    }

    /// Throws the typed error for `errno`, trapping on the ones only a bug can cause.
    public static func fail(_ name: String, _ errno: Errno) throws(RuntimeError) -> Never {
        precondition(errno != .badDescriptor, "\(name): bad file descriptor (a Switchyard bug)")
        precondition(errno != .badAddress, "\(name): bad address (a Switchyard bug)")
        throw .system(call: name, errno: errno)
    }
}
