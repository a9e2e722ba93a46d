/// Counters a fixed-rate task keeps about itself, shown on the `state` topic and by `tasks`.
public struct TaskStats: Equatable, Sendable {
    public var runs: Int = 0
    /// Deadlines that passed without a run because the task (or the loop) was late.
    public var overruns: Int = 0
    public var lastDuration: Interval = .zero
    public var maxDuration: Interval = .zero
}

/// A task that runs every `period` in phase: its next deadline is the previous deadline plus
/// the period, so it never drifts. A late run skips the deadlines it missed (each counts as an
/// overrun) and runs once; it never runs twice in a row to catch up.
public final class FixedRateTask {
    public let name: String
    public let period: Interval
    public private(set) var stats = TaskStats()
    /// When the task is due next.
    public internal(set) var deadline: Instant
    /// False once cancelled; the run loop drops it at its next pass.
    public private(set) var isActive = true

    // Nil once cancelled: the body usually captures its owner, and the owner keeps the task
    // in a property, so a cancelled task still holding it would keep both alive for good
    // (Embedded Swift has no weak references to break the cycle).
    private var body: (() -> Void)?

    init(name: String, period: Interval, firstDeadline: Instant, body: @escaping () -> Void) {
        precondition(period > .zero, "a fixed-rate task needs a positive period")
        self.name = name
        self.period = period
        self.deadline = firstDeadline
        self.body = body
    }

    /// Stops the task; it will not run again, and lets go of its body (and what that captured).
    public func cancel() {
        isActive = false
        body = nil
    }

    /// Runs the task if due at `now`, then schedules the next in-phase deadline.
    func runIfDue(clock: TimeSource) {
        let now = clock.now()
        guard isActive, now >= deadline else { return }
        let missed = (now - deadline).nanoseconds / period.nanoseconds
        stats.overruns += Int(missed)
        deadline = deadline + period * (missed + 1)
        let started = now
        // A local copy: the body may cancel its own task, which drops the stored one.
        if let body { body() }
        let duration = clock.now() - started
        stats.runs += 1
        stats.lastDuration = duration
        if duration > stats.maxDuration { stats.maxDuration = duration }
    }
}

/// A one-shot timer; cancel it to stop it from firing. Fired or cancelled, it lets go of its
/// body, so an owner that keeps the timer in a property is not kept alive by it.
public final class OneShotTimer {
    public let deadline: Instant
    public private(set) var isActive = true
    private var body: (() -> Void)?

    init(deadline: Instant, body: @escaping () -> Void) {
        self.deadline = deadline
        self.body = body
    }

    public func cancel() {
        isActive = false
        body = nil
    }

    func fire() {
        guard isActive, let body else { return }
        isActive = false
        self.body = nil
        body()
    }
}
