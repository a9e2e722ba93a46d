/// One producer's way to wake the run loop from another thread: its own eventfd, watched
/// by the loop like any descriptor, with its own handler.
///
/// Each thread that hands work to the loop (a bus reader, a connect attempt) gets one, so a
/// wake-up runs only the handler it is meant for, and `cancel()` removes it for good: a
/// stopped service leaves no handler behind and no descriptor open.
///
/// Sendable by contract, unchecked: other threads call only `signal()`, which writes the
/// eventfd (immutable, itself `Sendable`); `watch` is read and changed on the loop's thread only.
public final class WakeSource: @unchecked Sendable {
    private let wakeup: Wakeup
    private var watch: IOWatch?

    init(loop: EventLoop, handler: @escaping () -> Void) throws(RuntimeError) {
        let wakeup = try Wakeup()
        self.wakeup = wakeup
        watch = loop.watch(wakeup.fd) { _ in
            wakeup.drain()
            handler()
        }
    }

    deinit { watch?.cancel() }

    /// Wakes the loop to run the handler. Safe from any thread; never blocks; signals before
    /// the loop gets to them coalesce into one run.
    public func signal() { wakeup.signal() }

    /// Whether the handler still runs on a signal.
    public var isActive: Bool { watch?.isActive ?? false }

    /// Stops running the handler; the loop drops the watch (and its capture of the handler)
    /// on its next pass, and the eventfd closes when the last owner lets go. Loop thread only.
    public func cancel() {
        watch?.cancel()
        watch = nil
    }
}
