import JSON

/// The two answers every service's command gives the same way: its `status` and why it
/// cannot act when it is not running.
extension ServiceContext {
    /// The `status` reply: the service's health (with its detail), whether it is enabled, then
    /// the fields of its own `state` block.
    public func statusReply(_ state: JSONValue) -> CommandReply {
        var object = JSONObject(minimumCapacity: 4)
        object.append("health", .string(health.name))
        if !health.detail.isEmpty { object.append("detail", .string(health.detail)) }
        object.append("enabled", .bool(isEnabled))
        if case .object(let block) = state { for (key, value) in block { object[key] = value } }
        return .json(.object(object))
    }

    /// Why `what` (e.g. "the CAN tunnel") cannot act: disabled (and `enableHint`, how to turn
    /// it on), failed (and why), or simply not running.
    public func notRunningText(_ what: String, enableHint: String) -> String {
        if !isEnabled { return what + " is disabled (" + enableHint + ")" }
        if case .failed(let why) = health { return what + " is not running: " + why }
        return what + " is not running"
    }
}
