import Runtime
import Testing

@Suite("Fixed-rate tasks under a test clock")
struct FixedRateTaskTests {
    @Test("1,000 periods run in phase with no drift")
    func noDriftOverThousandPeriods() throws {
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        let start = clock.now()
        var runTimes: [Instant] = []
        // The task itself takes 3 ms of a 10 ms period: a naive `now + period` would drift.
        let task = loop.addTask("tick", every: .milliseconds(10)) {
            runTimes.append(clock.now())
            clock.advance(by: .milliseconds(3))
        }
        for _ in 0..<1_000 {
            clock.advance(by: loop.timeUntilNextDeadline()!)
            loop.dispatchDue()
        }
        #expect(task.stats.runs == 1_000)
        #expect(task.stats.overruns == 0)
        for (index, time) in runTimes.enumerated() {
            #expect(time == start + .milliseconds(10) * Int64(index + 1))
        }
        #expect(task.deadline == start + .milliseconds(10) * 1_001)
        #expect(task.stats.maxDuration == .milliseconds(3))
    }

    @Test("a late run counts its missed deadlines as overruns and runs once")
    func lateRunCountsOverrunsWithoutCatchUp() throws {
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        let start = clock.now()
        var runs = 0
        var slowOnce = true
        let task = loop.addTask("slow", every: .milliseconds(100)) {
            runs += 1
            if slowOnce {
                slowOnce = false
                clock.advance(by: .milliseconds(350)) // misses the deadlines at 200, 300, 400
            }
        }
        clock.advance(by: .milliseconds(100))
        loop.dispatchDue()
        #expect(runs == 1)
        #expect(task.deadline == start + .milliseconds(200))
        // Now at 450 ms: one run (no burst), three missed deadlines counted.
        loop.dispatchDue()
        loop.dispatchDue()
        #expect(runs == 2)
        #expect(task.stats.overruns == 2)
        #expect(task.deadline == start + .milliseconds(500), "stays in phase with the original schedule")
        clock.advance(by: .milliseconds(50))
        loop.dispatchDue()
        #expect(runs == 3)
        #expect(task.stats.overruns == 2)
    }

    @Test("overruns over 1,000 periods with a periodically slow task are exact")
    func overrunCountOverThousandPeriods() throws {
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        var count = 0
        // Every 10th run takes 2.5 periods: the deadline after it gets no run of its own (an
        // overrun), the one after that runs late, once, and the schedule stays in phase.
        let task = loop.addTask("bursty", every: .milliseconds(10)) {
            count += 1
            if count % 10 == 0 { clock.advance(by: .microseconds(25_000)) }
        }
        var steps = 0
        while task.stats.runs < 1_001 {
            if let wait = loop.timeUntilNextDeadline(), wait > .zero { clock.advance(by: wait) }
            let before = task.stats.runs
            loop.dispatchDue()
            #expect(task.stats.runs == before + 1, "exactly one run per dispatch: no catch-up bursts")
            steps += 1
        }
        #expect(task.stats.overruns == 100)
        #expect(steps == 1_001)
        #expect(task.stats.maxDuration == .microseconds(25_000))
    }

    @Test("one-shot timers fire once, in deadline order, and cancel")
    func oneShotTimers() throws {
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        var fired: [String] = []
        loop.after(.milliseconds(20)) { fired.append("b") }
        loop.after(.milliseconds(10)) { fired.append("a") }
        let cancelled = loop.after(.milliseconds(15)) { fired.append("never") }
        cancelled.cancel()
        clock.advance(by: .milliseconds(10))
        loop.dispatchDue()
        clock.advance(by: .milliseconds(10))
        loop.dispatchDue()
        clock.advance(by: .milliseconds(100))
        loop.dispatchDue()
        #expect(fired == ["a", "b"])
        #expect(loop.timeUntilNextDeadline() == nil)
    }

    @Test("a cancelled task stops running")
    func cancelledTaskStops() throws {
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        var runs = 0
        let task = loop.addTask("t", every: .milliseconds(5)) { runs += 1 }
        clock.advance(by: .milliseconds(5)); loop.dispatchDue()
        task.cancel()
        clock.advance(by: .milliseconds(50)); loop.dispatchDue()
        #expect(runs == 1)
    }
}
