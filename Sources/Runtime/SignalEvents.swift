import CSupport

/// SIGINT, SIGTERM and SIGHUP delivered as readable events on a `signalfd`, so shutdown and
/// reload run as ordinary run-loop work instead of in a signal handler.
///
/// Create it on the main thread before starting any other thread: threads inherit the
/// blocked mask, which is what keeps the signals from killing the process the old way.
public final class SignalEvents {
    public let fd: FileDescriptor
    public let signals: [Int32]

    public init(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) throws(RuntimeError) {
        self.signals = signals
        var mask = sigset_t()
        let blocked = signals.withUnsafeBufferPointer { sy_block_signals($0.baseAddress, Int32($0.count), &mask) }
        if blocked != 0 { throw .system(call: "pthread_sigmask", errno: Errno(blocked)) }
        let raw = try SystemCall.retrying("signalfd") { signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC)) }
        fd = FileDescriptor(raw)
    }

    deinit { fd.close() }

    /// Blocks the signals a `SignalEvents` will take, and nothing else: the entry point calls
    /// it first thing for commands that run until told to stop, so a SIGTERM sent while the
    /// process is still starting stays pending (and is read from the signalfd later, for a
    /// clean exit) instead of killing it.
    public static func blockEarly(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        var mask = sigset_t()
        _ = signals.withUnsafeBufferPointer { sy_block_signals($0.baseAddress, Int32($0.count), &mask) }
    }

    /// The next pending signal number, or nil when none is pending.
    public func next() -> Int32? {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        let n = withUnsafeMutableBytes(of: &info) { CSupport.read(fd.rawValue, $0.baseAddress, size) }
        return n == size ? Int32(bitPattern: info.ssi_signo) : nil
    }

    /// A signal's conventional name, for logs.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }
}
