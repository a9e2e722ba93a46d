import JSON

/// One gateway as its retained topics describe it (issue 30): what `fleet status` lists and
/// what `fleet rollout` decides on.
public struct FleetMember: Equatable {
    public let node: String
    /// `ota.group` as the gateway's `state` reports it; empty when in no group.
    public var group = ""
    /// The version it runs (the slot's recorded version under the supervisor).
    public var version = ""
    public var slot = ""
    public var board = ""
    public var uptimeSeconds = 0
    /// From `status`, the last will: nil before anything was heard.
    public var online: Bool?
    /// Its `ota/status`: state word, the image it is about, and why (a refusal, a rollback).
    public var update = ""
    public var updateSHA256 = ""
    public var updateReason = ""
    /// The reason of its last rollback, as long as its status still says it rolled back.
    public var lastRollback = ""

    public init(node: String) { self.node = node }

    /// The member as one JSON object (`fleet status --json`).
    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 11)
        object.append("node", .string(node))
        object.append("group", .string(group))
        object.append("version", .string(version))
        object.append("slot", .string(slot))
        object.append("board", .string(board))
        object.append("uptime_s", .int(uptimeSeconds))
        object.append("online", online.map { .bool($0) } ?? .null)
        object.append("update", .string(update))
        object.append("update_sha256", .string(updateSHA256))
        if !updateReason.isEmpty { object.append("update_reason", .string(updateReason)) }
        if !lastRollback.isEmpty { object.append("last_rollback", .string(lastRollback)) }
        return .object(object)
    }
}

/// Every gateway heard on the inventory topics (`FleetTopics.inventoryFilters`), by node.
/// Fed message by message; anything that does not parse is counted and skipped, and the
/// number of nodes is bounded (a broker full of strangers cannot grow it without end).
public struct FleetInventory {
    public private(set) var members: [String: FleetMember] = [:]
    /// Messages that were not a gateway's state, status or OTA status.
    public private(set) var dropped = 0
    /// Most nodes kept; later ones are dropped (and counted).
    public static let maxNodes = 10_000

    public init() {}

    /// Takes one retained (or live) message of the inventory topics.
    public mutating func ingest(topic: String, payload: [UInt8]) {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "switchyard" else { dropped += 1; return }
        let node = String(parts[1])
        guard OTATarget.isName(node), node != "fleet" else { dropped += 1; return }
        if members[node] == nil {
            // An empty retained payload deletes a topic: nothing to learn, nobody to add.
            guard !payload.isEmpty, members.count < FleetInventory.maxNodes else { dropped += 1; return }
            members[node] = FleetMember(node: node)
        }
        guard var member = members[node] else { return }
        let rest = parts[2...].joined(separator: "/")
        switch rest {
        case "status":
            let text = String(decoding: payload, as: UTF8.self)
            member.online = text == "online" ? true : (text == "offline" ? false : member.online)
        case "state":
            guard let state = try? JSONValue.parse(payload) else { dropped += 1; return }
            member.version = state["version"]?.stringValue ?? member.version
            member.board = state["board"]?.stringValue ?? member.board
            member.uptimeSeconds = state["uptime_s"]?.intValue ?? member.uptimeSeconds
            if let ota = state["services"]?["ota"]?["state"] {
                member.group = ota["group"]?.stringValue ?? ""
                if let running = ota["running"]?.stringValue { member.version = running }
                member.slot = ota["slot"]?.stringValue ?? member.slot
            }
        case "ota/status":
            guard let status = try? JSONValue.parse(payload) else { dropped += 1; return }
            member.update = status["state"]?.stringValue ?? ""
            member.updateSHA256 = status["sha256"]?.stringValue ?? ""
            member.updateReason = status["reason"]?.stringValue ?? ""
            if let running = status["running"]?.stringValue, !running.isEmpty { member.version = running }
            if let slot = status["slot"]?.stringValue { member.slot = slot }
            member.lastRollback = member.update == "rolled_back" ? member.updateReason : member.lastRollback
        default:
            dropped += 1
            return
        }
        members[node] = member
    }

    /// The members of `group` (all that report, when nil), by node name.
    public func list(group: String?) -> [FleetMember] {
        var names: [String] = []
        for (name, member) in members where group == nil || member.group == group { names.append(name) }
        return names.sorted().compactMap { members[$0] }
    }
}
