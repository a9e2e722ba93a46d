import CSupport

/// An `eventfd` that any thread can signal to wake a run loop sleeping in `poll`.
/// Signals coalesce: ten signals before the loop wakes are one wake-up.
public final class Wakeup: Sendable {
    public let fd: FileDescriptor

    public init() throws(RuntimeError) {
        let raw = try SystemCall.retrying("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
        fd = FileDescriptor(raw)
    }

    deinit { fd.close() }

    /// Wakes the loop. Safe from any thread; never blocks.
    public func signal() {
        var one: UInt64 = 1
        // EAGAIN means the counter is saturated: the loop is already due to wake.
        _ = withUnsafeBytes(of: &one) { CSupport.write(fd.rawValue, $0.baseAddress, 8) }
    }

    /// Clears pending signals; returns how many arrived since the last drain.
    @discardableResult
    public func drain() -> UInt64 {
        var count: UInt64 = 0
        let n = withUnsafeMutableBytes(of: &count) { CSupport.read(fd.rawValue, $0.baseAddress, 8) }
        return n == 8 ? count : 0
    }
}
