import JSON

/// What the gateway says on `ota/status` (retained) and in its `state` block.
public struct OTAStatus: Equatable {
    /// Where the update stands (`state` on the topic is its `name`).
    public var state: OTAState
    public var percent: Int
    /// The update's version (the running one when no update is under way).
    public var version: String
    /// SHA-256 of the update this status is about (the running slot's when idle).
    public var sha256: String
    /// Why it was refused or failed; empty otherwise.
    public var reason: String

    public init(state: OTAState, percent: Int = 0, version: String = "", sha256: String = "", reason: String = "") {
        self.state = state
        self.percent = percent
        self.version = version
        self.sha256 = sha256
        self.reason = reason
    }

    /// The status as published; `serial` is the last manifest serial the gateway accepted,
    /// which `ota push` signs above.
    public func json(running: String, slot: OTASlot, serial: Int) -> JSONValue {
        var object = JSONObject(minimumCapacity: 8)
        object.append("state", .string(state.name))
        object.append("percent", .int(percent))
        object.append("version", .string(version))
        object.append("sha256", .string(sha256))
        object.append("running", .string(running))
        object.append("slot", .string(slot.name))
        object.append("serial", .int(serial))
        if !reason.isEmpty { object.append("reason", .string(reason)) }
        return .object(object)
    }
}
