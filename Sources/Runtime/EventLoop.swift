import CSupport

/// The cooperative scheduler: one thread, `poll(2)` over registered descriptors, fixed-rate
/// tasks and one-shot timers. Handlers never block; an idle loop sleeps in `poll` until the
/// next deadline or a descriptor becomes ready.
public final class EventLoop {
    public let clock: TimeSource

    public private(set) var tasks: [FixedRateTask] = []
    private var timers: [OneShotTimer] = []
    private var watches: [IOWatch] = []
    /// The last pass's `pollfd` array, kept for its capacity so a pass allocates nothing.
    private var pollBuffer: [pollfd] = []
    private var stopRequested = false
    /// Poll wake-ups so far: an idle loop should barely move this.
    public private(set) var iterations = 0

    public init(clock: TimeSource = MonotonicClock()) throws(RuntimeError) {
        self.clock = clock
    }

    // MARK: registering work

    /// Runs `body` every `period`, first after `firstDelay` (default: one period from now).
    @discardableResult
    public func addTask(
        _ name: String, every period: Interval, firstDelay: Interval? = nil, _ body: @escaping () -> Void
    ) -> FixedRateTask {
        let task = FixedRateTask(name: name, period: period,
                                 firstDeadline: clock.now() + (firstDelay ?? period), body: body)
        tasks.append(task)
        return task
    }

    /// Runs `body` once after `delay`.
    @discardableResult
    public func after(_ delay: Interval, _ body: @escaping () -> Void) -> OneShotTimer {
        let timer = OneShotTimer(deadline: clock.now() + delay, body: body)
        timers.append(timer)
        return timer
    }

    /// Calls `handler` whenever `fd` is ready for what `interest` asks.
    @discardableResult
    public func watch(
        _ fd: FileDescriptor, interest: IOInterest = .read, _ handler: @escaping (IOEvents) -> Void
    ) -> IOWatch {
        let watch = IOWatch(fd: fd, interest: interest, handler: handler)
        watches.append(watch)
        return watch
    }

    /// A wake-up source of its own for one producer thread: `signal()` from that thread
    /// runs `handler` on the loop thread; `cancel()` removes it.
    public func wakeSource(_ handler: @escaping () -> Void) throws(RuntimeError) -> WakeSource {
        try WakeSource(loop: self, handler: handler)
    }

    /// Descriptors being watched (wake sources included): a stopped service must bring
    /// this back to where it was.
    public var watchCount: Int { watches.reduce(0) { $0 + ($1.isActive ? 1 : 0) } }

    /// Delivers `signals` (as `SignalEvents` reads them) to `handler` on the loop thread.
    public func handleSignals(_ events: SignalEvents, _ handler: @escaping (Int32) -> Void) {
        watch(events.fd) { _ in
            while let signal = events.next() { handler(signal) }
        }
    }

    // MARK: running

    /// Runs until `stop()` is called.
    public func run() throws(RuntimeError) {
        stopRequested = false
        while !stopRequested {
            try runOnce(maxWait: nil)
        }
    }

    /// Makes `run()` return after the current iteration. Loop thread only; other threads
    /// signal a `WakeSource` whose handler stops the loop.
    public func stop() { stopRequested = true }

    /// Whether `stop()` was called since `run()` started.
    public var isStopping: Bool { stopRequested }

    /// One iteration: waits in `poll` at most until the next deadline (or `maxWait`), then
    /// dispatches ready descriptors, due timers and due tasks.
    public func runOnce(maxWait: Interval?) throws(RuntimeError) {
        compact()
        var wait = timeUntilNextDeadline()
        if let maxWait, wait == nil || maxWait < wait! { wait = maxWait }
        let timeoutMs: Int32
        if let wait {
            // Round up so we never wake a hair early and spin until the deadline.
            timeoutMs = Int32(clamping: wait <= .zero ? 0 : (wait.nanoseconds + 999_999) / 1_000_000)
        } else {
            timeoutMs = -1
        }

        let polled = watches
        // Taken out while in use: a handler that runs a pass of its own (tests do) gets a new one.
        var fds = pollBuffer
        pollBuffer = []
        fds.removeAll(keepingCapacity: true)
        for watch in polled { fds.append(pollfd(fd: watch.fd.rawValue, events: watch.pollEvents, revents: 0)) }
        let ready = fds.withUnsafeMutableBufferPointer { buffer in
            poll(buffer.baseAddress, nfds_t(buffer.count), timeoutMs)
        }
        iterations += 1
        if ready < 0 {
            let errno = Errno.current
            if errno != .interrupted { try SystemCall.fail("poll", errno) }
        } else if ready > 0 {
            for index in 0..<fds.count where fds[index].revents != 0 {
                polled[index].dispatch(IOWatch.events(fromPoll: fds[index].revents))
            }
        }
        pollBuffer = fds
        dispatchDue()
    }

    /// Fires every timer and task whose deadline has passed. Public so tests driving a
    /// `TestClock` can step the schedule without waiting in `poll`.
    public func dispatchDue() {
        let now = clock.now()
        // Filtering makes a new array: only when a timer is due (a pending one waits for hours).
        if timers.contains(where: { $0.isActive && $0.deadline <= now }) {
            let due = timers.filter { $0.isActive && $0.deadline <= now }
            timers.removeAll { !$0.isActive || $0.deadline <= now }
            for timer in due { timer.fire() }
        }
        for task in tasks where task.isActive && task.deadline <= clock.now() {
            task.runIfDue(clock: clock)
        }
    }

    /// Time until the earliest task or timer deadline (negative when overdue), nil if none.
    public func timeUntilNextDeadline() -> Interval? {
        var earliest: Instant? = nil
        for task in tasks where task.isActive {
            if earliest == nil || task.deadline < earliest! { earliest = task.deadline }
        }
        for timer in timers where timer.isActive {
            if earliest == nil || timer.deadline < earliest! { earliest = timer.deadline }
        }
        guard let earliest else { return nil }
        return earliest - clock.now()
    }

    /// Drops cancelled tasks, timers and watches.
    private func compact() {
        tasks.removeAll { !$0.isActive }
        timers.removeAll { !$0.isActive }
        watches.removeAll { !$0.isActive }
    }
}
