import JSON

/// The A/B state: which slot runs, whether it is on trial and how often it has been started
/// in that trial, what each slot holds, and the last failure. The supervisor and the
/// receiver read-modify-write it under the OTA lock; every write is atomic (`OTARecordFile`),
/// so a power cut leaves the old record or the new one.
public struct OTAStateRecord: Equatable {
    /// The slot the supervisor starts.
    public var active: OTASlot = .factory
    /// Where to go back to when the active slot fails its trial.
    public var previous: OTASlot = .factory
    /// The active slot is new and not yet committed.
    public var trial = false
    /// Starts of the active slot during its trial (the supervisor counts them before each start).
    public var trialStarts = 0
    /// Crashes of the active slot during its trial.
    public var trialCrashes = 0
    public var slotA = OTASlotInfo()
    public var slotB = OTASlotInfo()
    /// The supervisor went back to `active` because the slot after it failed its trial.
    public var rolledBack = false
    /// Why the last update or trial failed, for `ota status`; empty when none did.
    public var lastFailure = ""
    /// Incremented by every write: tells readers polling the file that something changed.
    public var generation = 0
    /// The serial of the last manifest accepted: a manifest must carry a higher one, so a
    /// captured one cannot be replayed here. Kept through rollbacks and failures.
    public var lastSerial = 0

    /// Largest count or generation a stored record may hold: a counter beyond it was not
    /// written by us, and adding one to it must never overflow.
    public static let maxCounter = 1 << 40

    public init() {}

    public subscript(slot: OTASlot) -> OTASlotInfo {
        get {
            switch slot {
            case .a: return slotA
            case .b: return slotB
            case .factory: return OTASlotInfo(status: .good, version: "factory", sha256: "")
            }
        }
        set {
            switch slot {
            case .a: slotA = newValue
            case .b: slotB = newValue
            case .factory: break
            }
        }
    }

    /// The record as stored.
    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 11)
        object.append("active", .string(active.name))
        object.append("previous", .string(previous.name))
        object.append("trial", .bool(trial))
        object.append("trial_starts", .int(trialStarts))
        object.append("trial_crashes", .int(trialCrashes))
        object.append("a", OTAStateRecord.slotJSON(slotA))
        object.append("b", OTAStateRecord.slotJSON(slotB))
        object.append("rolled_back", .bool(rolledBack))
        object.append("last_failure", .string(lastFailure))
        object.append("generation", .int(generation))
        object.append("last_serial", .int(lastSerial))
        return .object(object)
    }

    static func slotJSON(_ info: OTASlotInfo) -> JSONValue {
        ["status": .string(info.status.rawValue), "version": .string(info.version), "sha256": .string(info.sha256)]
    }

    /// Parses a stored record; nil when any field is missing, of the wrong kind or out of
    /// range (the caller decides what a broken record means: the supervisor starts the
    /// factory binary). `last_serial` may be missing: records written before it existed have
    /// none, and must still boot their slot.
    public init?(json value: JSONValue) {
        guard let activeName = value["active"]?.stringValue, let active = OTASlot(name: activeName),
              let previousName = value["previous"]?.stringValue, let previous = OTASlot(name: previousName),
              let trial = value["trial"]?.boolValue, let starts = value["trial_starts"]?.intValue,
              let crashes = value["trial_crashes"]?.intValue,
              let a = value["a"].flatMap(OTAStateRecord.slotInfo), let b = value["b"].flatMap(OTAStateRecord.slotInfo),
              let rolledBack = value["rolled_back"]?.boolValue, let failure = value["last_failure"]?.stringValue, let generation = value["generation"]?.intValue
        else { return nil }
        let counters = 0...OTAStateRecord.maxCounter
        guard counters.contains(starts), counters.contains(crashes), counters.contains(generation) else { return nil }
        var serial = 0
        if let stored = value["last_serial"] {
            guard let number = stored.intValue, number >= 0 && number <= OTAManifest.maxSerial else { return nil }
            serial = number
        }
        self.active = active
        self.previous = previous
        self.trial = trial
        trialStarts = starts
        trialCrashes = crashes
        slotA = a
        slotB = b
        self.rolledBack = rolledBack
        lastFailure = failure
        self.generation = generation
        lastSerial = serial
    }

    static func slotInfo(_ value: JSONValue) -> OTASlotInfo? {
        guard let statusName = value["status"]?.stringValue, let status = OTASlotInfo.Status(rawValue: statusName),
              let version = value["version"]?.stringValue, let sha = value["sha256"]?.stringValue else { return nil }
        return OTASlotInfo(status: status, version: version, sha256: sha)
    }

    /// The version the active slot holds (`factory` for the shipped binary).
    public var activeVersion: String { self[active].version }
}
