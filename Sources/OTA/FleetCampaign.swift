import JSON

/// A rollout's progress, retained on `switchyard/fleet/<group>/campaign` (issue 30), so that
/// `fleet rollout` can be stopped and run again, here or on another machine, and carry on
/// where the fleet stands. Not signed: it steers only the rollout tool, never a gateway (the
/// gateways take nothing but signed manifests).
public struct FleetCampaign: Equatable {
    /// Where a campaign stands.
    public enum Phase: Equatable {
        case running, halted, done

        /// The word in the retained JSON.
        public var name: String {
            switch self {
            case .running: return "running"
            case .halted: return "halted"
            case .done: return "done"
            }
        }

        public init?(name: String) {
            switch name {
            case "running": self = .running
            case "halted": self = .halted
            case "done": self = .done
            default: return nil
            }
        }
    }

    /// The image being rolled out.
    public var sha256: String
    public var version: String
    /// Cumulative percentages of the group per wave, the first being the canary.
    public var waves: [Int]
    /// The wave under way (index into `waves`).
    public var wave: Int
    public var phase: Phase
    /// The serial of the last manifest signed: the next is above it.
    public var serial: Int
    /// Nodes that committed the image, and nodes that refused it, failed or rolled it back.
    public var committed: [String]
    public var failed: [String]
    /// Why it halted (empty otherwise).
    public var reason: String

    public init(sha256: String, version: String, waves: [Int], wave: Int = 0, phase: Phase = .running, serial: Int = 0,
                committed: [String] = [], failed: [String] = [], reason: String = "") {
        self.sha256 = sha256
        self.version = version
        self.waves = waves
        self.wave = wave
        self.phase = phase
        self.serial = serial
        self.committed = committed
        self.failed = failed
        self.reason = reason
    }

    /// How many of `members` the cumulative wave `index` covers: at least one, rounded up.
    public func size(ofWave index: Int, members: Int) -> Int {
        let percent = waves[index]
        return min(members, max(1, (percent * members + 99) / 100))
    }

    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 9)
        object.append("sha256", .string(sha256))
        object.append("version", .string(version))
        object.append("waves", .array(waves.map { .int($0) }))
        object.append("wave", .int(wave))
        object.append("state", .string(phase.name))
        object.append("serial", .int(serial))
        object.append("committed", .array(committed.map { .string($0) }))
        object.append("failed", .array(failed.map { .string($0) }))
        if !reason.isEmpty { object.append("reason", .string(reason)) }
        return .object(object)
    }

    /// The campaign in a retained payload; nil when it is not one (anyone may publish there).
    public static func parse(_ payload: [UInt8]) -> FleetCampaign? {
        guard let value = try? JSONValue.parse(payload), let sha256 = value["sha256"]?.stringValue,
              let version = value["version"]?.stringValue, let waveList = value["waves"]?.arrayValue,
              let wave = value["wave"]?.intValue, let phaseName = value["state"]?.stringValue,
              let phase = Phase(name: phaseName), let serial = value["serial"]?.intValue else { return nil }
        let waves = waveList.compactMap { $0.intValue }
        guard waves.count == waveList.count, !waves.isEmpty, wave >= 0 && wave < waves.count,
              serial >= 0 && serial <= OTAManifest.maxSerial else { return nil }
        let committed = value["committed"]?.arrayValue?.compactMap { $0.stringValue } ?? []
        let failed = value["failed"]?.arrayValue?.compactMap { $0.stringValue } ?? []
        return FleetCampaign(sha256: sha256, version: version, waves: waves, wave: wave, phase: phase, serial: serial,
                             committed: committed, failed: failed, reason: value["reason"]?.stringValue ?? "")
    }

    /// Parses `1,10,50,100%`: ascending percentages from 1 to 100 (a `%` anywhere is optional).
    public static func parseWaves(_ text: String) -> [Int]? {
        var waves: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let digits = part.utf8.filter { $0 != UInt8(ascii: "%") && $0 != UInt8(ascii: " ") }
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            var value = 0
            for digit in digits { value = value * 10 + Int(digit - 0x30) }
            guard value >= 1 && value <= 100, value > (waves.last ?? 0) else { return nil }
            waves.append(value)
        }
        return waves.isEmpty ? nil : waves
    }
}
