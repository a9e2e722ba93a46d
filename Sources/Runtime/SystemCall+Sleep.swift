import CSupport

extension SystemCall {
    /// Blocks the calling thread for `interval`, sleeping again for what is left when a
    /// signal interrupts it. Worker threads only (a paced source): the run loop never
    /// sleeps, it waits in `poll` with a deadline.
    public static func sleep(for interval: Interval) {
        guard interval > .zero else { return }
        var request = timespec(tv_sec: Int(interval.nanoseconds / 1_000_000_000),
                               tv_nsec: Int(interval.nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 {
            // Only EINTR can happen with a valid request; anything else would spin.
            guard Errno.current == .interrupted else { return }
            request = remaining
        }
    }
}
