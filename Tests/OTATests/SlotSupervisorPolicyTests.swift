import OTA
import Runtime
import Testing

@Suite struct SlotSupervisorPolicyTests {
    func record(active: OTASlot, previous: OTASlot, a: OTASlotInfo.Status, b: OTASlotInfo.Status, trial: Bool) -> OTAStateRecord {
        var record = OTAStateRecord()
        record.active = active
        record.previous = previous
        record.trial = trial
        record.slotA = OTASlotInfo(status: a, version: "0.2.0", sha256: "aa")
        record.slotB = OTASlotInfo(status: b, version: "0.3.0", sha256: "bb")
        return record
    }

    @Test func startsTheActiveSlotElseThePreviousElseTheFactoryBinary() {
        let all: (OTASlot) -> Bool = { _ in true }
        #expect(SlotSupervisorPolicy.slotToStart(record(active: .b, previous: .a, a: .good, b: .trial, trial: true), exists: all) == .b)
        #expect(SlotSupervisorPolicy.slotToStart(record(active: .b, previous: .a, a: .good, b: .receiving, trial: false), exists: all) == .a)
        #expect(SlotSupervisorPolicy.slotToStart(record(active: .b, previous: .a, a: .bad, b: .bad, trial: false), exists: all) == .factory)
        // A slot whose binary is gone is not started, whatever the record says.
        #expect(SlotSupervisorPolicy.slotToStart(record(active: .b, previous: .a, a: .good, b: .good, trial: false),
                                                 exists: { $0 != .b }) == .a)
    }

    @Test func threeCrashesDuringATrialRollBackToThePreviousSlot() {
        var state = record(active: .b, previous: .a, a: .good, b: .trial, trial: true)
        #expect(SlotSupervisorPolicy.recordCrash(&state, slot: .b, how: "exit status 3") == nil)
        #expect(SlotSupervisorPolicy.recordCrash(&state, slot: .b, how: "exit status 3") == nil)
        let reason = SlotSupervisorPolicy.recordCrash(&state, slot: .b, how: "exit status 3")
        #expect(reason == "crashed 3 times during its trial (last: exit status 3)")
        SlotSupervisorPolicy.rollBack(&state, reason: reason!)
        #expect(state.active == .a && !state.trial && state.slotB.status == .bad && state.rolledBack)
        #expect(state.lastFailure == "0.3.0 in slot b crashed 3 times during its trial (last: exit status 3); rolled back to slot a (0.2.0)")
    }

    @Test func crashesOutsideATrialChangeNothingAndHealthCommitsOnlyTheTrialSlot() {
        var state = record(active: .a, previous: .factory, a: .good, b: .empty, trial: false)
        #expect(SlotSupervisorPolicy.recordCrash(&state, slot: .a, how: "signal 11") == nil)
        #expect(state.trialCrashes == 0)
        var trial = record(active: .b, previous: .a, a: .good, b: .trial, trial: true)
        #expect(!SlotSupervisorPolicy.recordHealthy(&trial, slot: .a))
        #expect(SlotSupervisorPolicy.recordHealthy(&trial, slot: .b))
        #expect(trial.slotB.status == .good && !trial.trial)
    }

    @Test func rollsBackToTheFactoryBinaryWhenThePreviousSlotCannotBoot() {
        var state = record(active: .b, previous: .a, a: .receiving, b: .trial, trial: true)
        SlotSupervisorPolicy.rollBack(&state, reason: "did not report healthy within 120 s")
        #expect(state.active == .factory && state.slotB.status == .bad)
        #expect(state.lastFailure.hasSuffix("rolled back to the factory binary"))
    }
}

@Suite struct SlotRestartPacingTests {
    // Issue 20, item 3: a gateway that reports healthy and crashes a moment later was
    // restarted every second (39 crashes in 40 s): each healthy report reset the backoff.
    @Test func crashesSoonAfterAHealthyReportStillGrowTheBackoff() {
        var pacing = SlotRestartPacing(stable: .seconds(30))
        var now = Instant(nanoseconds: 1_000_000_000)
        var delays: [Int64] = []
        for _ in 0..<8 {
            pacing.started()
            now = now + .seconds(1)
            pacing.reportedHealthy(at: now)
            now = now + .milliseconds(900)
            let delay = pacing.delayAfterExit(at: now)
            delays.append(delay.milliseconds / 1000)
            now = now + delay
        }
        #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60])
    }

    @Test func onlyAStableRunStartsTheBackoffOver() {
        var pacing = SlotRestartPacing(stable: .seconds(30))
        var now = Instant(nanoseconds: 1_000_000_000)
        for _ in 0..<4 { _ = pacing.delayAfterExit(at: now) }
        pacing.started()
        pacing.reportedHealthy(at: now)
        now = now + .seconds(29)
        #expect(!pacing.isStable(at: now))
        now = now + .seconds(1)
        #expect(pacing.isStable(at: now))
        #expect(pacing.delayAfterExit(at: now) == .seconds(1))
        // Without a new healthy report the next crash is not after a stable run.
        pacing.started()
        #expect(pacing.delayAfterExit(at: now + .seconds(100)) == .seconds(2))
        // A crash before any healthy report grows it too.
        pacing.started()
        #expect(pacing.delayAfterExit(at: now) == .seconds(4))
    }
}
