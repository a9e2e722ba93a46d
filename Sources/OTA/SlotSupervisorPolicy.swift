/// The supervisor's decisions over the state record, without processes: which slot to start,
/// what a crash or a healthy report changes, when a trial fails. `switchyard supervise`
/// applies them under the record's lock; tests drive them directly.
public enum SlotSupervisorPolicy {
    /// Crashes during a trial that send the supervisor back to the previous slot.
    public static let trialCrashLimit = 3

    /// The slot to start now: the active one if bootable, else the previous one, else the
    /// factory binary. `exists` says whether a slot's binary is on disk.
    public static func slotToStart(_ record: OTAStateRecord, exists: (OTASlot) -> Bool) -> OTASlot {
        for slot in [record.active, record.previous] where slot != .factory {
            if record[slot].isBootable && exists(slot) { return slot }
        }
        return .factory
    }

    /// Counts a start of `slot` when it is on trial.
    public static func recordStart(_ record: inout OTAStateRecord, slot: OTASlot) {
        if record.trial && record.active == slot { record.trialStarts += 1 }
    }

    /// Records a crash of `slot`; returns the rollback reason when that ends its trial.
    public static func recordCrash(_ record: inout OTAStateRecord, slot: OTASlot, how: String) -> String? {
        guard record.trial && record.active == slot else { return nil }
        record.trialCrashes += 1
        guard record.trialCrashes >= trialCrashLimit else { return nil }
        return "crashed \(record.trialCrashes) times during its trial (last: \(how))"
    }

    /// A healthy report from `slot`: commits it when it is on trial. Returns whether it did.
    @discardableResult
    public static func recordHealthy(_ record: inout OTAStateRecord, slot: OTASlot) -> Bool {
        guard record.trial && record.active == slot else { return false }
        record.trial = false
        record.trialStarts = 0
        record.trialCrashes = 0
        record[slot].status = .good
        record.rolledBack = false
        record.lastFailure = ""
        return true
    }

    /// Gives up the active slot: marked bad, the previous one (or the factory binary) becomes
    /// active again, with `reason` kept for `ota status` and the status topic.
    public static func rollBack(_ record: inout OTAStateRecord, reason: String) {
        let failed = record.active
        let failedVersion = record[failed].version
        var target = record.previous
        if target == failed || (target != .factory && !record[target].isBootable) { target = .factory }
        record[failed].status = .bad
        record.active = target
        record.previous = .factory
        record.trial = false
        record.trialStarts = 0
        record.trialCrashes = 0
        record.rolledBack = true
        record.lastFailure = failedVersion + " in slot " + failed.name + " " + reason + "; rolled back to "
            + (target == .factory ? "the factory binary" : "slot " + target.name + " (" + record[target].version + ")")
    }
}
