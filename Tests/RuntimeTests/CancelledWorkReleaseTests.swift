import Runtime
import Testing

/// A timer, task, watch or wake source that is done lets go of its closure. Owners keep them
/// in properties and their closures capture the owner; the firmware has no weak references,
/// so one still holding its closure would keep its owner alive for good (issue 20: a cloud
/// MQTT client, its socketpair and buffers leaked at every service restart that way).
@Suite("Cancelled and fired work releases what its closure captured")
struct CancelledWorkReleaseTests {
    /// Something a closure captures, with a weak reference to see whether it is still alive.
    final class Owner {
        var timer: OneShotTimer?
        var task: FixedRateTask?
        var watch: IOWatch?
        var wake: WakeSource?
        var fired = 0
    }

    @Test("a cancelled timer kept by its owner frees the owner")
    func cancelledTimer() throws {
        let loop = try EventLoop(clock: TestClock())
        weak var probe: Owner?
        do {
            let owner = Owner()
            probe = owner
            owner.timer = loop.after(.seconds(60)) { owner.fired += 1 }
            owner.timer?.cancel()
        }
        loop.dispatchDue()
        #expect(probe == nil, "the cancelled timer still holds its owner")
    }

    @Test("a fired timer kept by its owner frees the owner; it fires once")
    func firedTimer() throws {
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        weak var probe: Owner?
        var fired = 0
        do {
            let owner = Owner()
            probe = owner
            owner.timer = loop.after(.milliseconds(5)) {
                fired += 1
                owner.timer?.cancel() // what owners do from inside (MQTTClient's stop deadline)
            }
        }
        clock.advance(by: .milliseconds(5))
        loop.dispatchDue()
        loop.dispatchDue()
        #expect(fired == 1)
        #expect(probe == nil, "the fired timer still holds its owner")
    }

    @Test("a task cancelled from its own body runs that body to the end and frees the owner")
    func cancelledTask() throws {
        let clock = TestClock()
        let loop = try EventLoop(clock: clock)
        weak var probe: Owner?
        do {
            let owner = Owner()
            probe = owner
            owner.task = loop.addTask("t", every: .milliseconds(10)) {
                owner.task?.cancel()
                owner.fired += 1 // still running after the cancel dropped the stored body
            }
        }
        clock.advance(by: .milliseconds(10))
        loop.dispatchDue()
        #expect(probe == nil, "the cancelled task still holds its owner")
    }

    @Test("a cancelled watch and a cancelled wake source free their owner")
    func cancelledWatchAndWakeSource() throws {
        let loop = try EventLoop()
        let wakeup = try Wakeup()
        weak var probe: Owner?
        var handled = 0
        do {
            let owner = Owner()
            probe = owner
            owner.watch = loop.watch(wakeup.fd) { _ in owner.fired += 1 }
            owner.wake = try loop.wakeSource {
                handled += 1
                owner.fired += 1
            }
            owner.wake?.signal()
            try loop.runOnce(maxWait: .zero)
            owner.watch?.cancel()
            owner.wake?.cancel()
        }
        #expect(handled == 1)
        try loop.runOnce(maxWait: .zero)
        #expect(probe == nil, "a cancelled watch or wake source still holds its owner")
    }
}
