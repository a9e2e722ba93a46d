import CSupport

/// A fixed set of descriptors one worker thread blocks on with `poll(2)`: the CAN reader
/// waits for its bus or its stop signal this way. The run loop has its own poll over its
/// watches; this is for the threads that are allowed to block, never for the loop.
public struct PollSet {
    // Built once: a reader waiting at line rate must not allocate per wait.
    private var fds: [pollfd]

    /// A set waiting for any of `descriptors` to become readable (or hang up, or fail).
    public init(readable descriptors: [FileDescriptor]) {
        fds = descriptors.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
    }

    /// Blocks until a descriptor is ready or `timeout` passes (nil: no limit), waiting again
    /// after a signal; returns how many are ready, 0 when the time ran out.
    public mutating func wait(timeout: Interval? = nil) throws(RuntimeError) -> Int {
        let milliseconds: Int32
        if let timeout {
            // Round up so a short timeout never becomes a busy 0.
            milliseconds = Int32(clamping: timeout <= .zero ? 0 : (timeout.nanoseconds + 999_999) / 1_000_000)
        } else {
            milliseconds = -1
        }
        for index in fds.indices { fds[index].revents = 0 }
        let ready = try fds.withUnsafeMutableBufferPointer { buffer throws(RuntimeError) -> Int32 in
            try SystemCall.retrying("poll") { poll(buffer.baseAddress, nfds_t(buffer.count), milliseconds) }
        }
        return Int(ready)
    }

    /// What the last `wait` reported for the descriptor at `index` (empty: not ready).
    public func events(at index: Int) -> IOEvents {
        IOWatch.events(fromPoll: fds[index].revents)
    }
}
