import JSON

/// Counters for `state` and `skoda status`.
struct SkodaStats {
    var messages = 0
    var events = 0
    var operations = 0
    var raw = 0
    var malformed = 0
    /// Events dropped as repeats of one already seen (same traceId).
    var duplicates = 0
    var refreshes = 0
    var refreshFailures = 0
    var authRefusals = 0
    var clockJumps = 0

    var json: JSONValue {
        var object = JSONObject(minimumCapacity: 10)
        object.append("messages", .int(messages))
        object.append("events", .int(events))
        object.append("operations", .int(operations))
        object.append("raw", .int(raw))
        object.append("malformed", .int(malformed))
        object.append("duplicates", .int(duplicates))
        object.append("token_refreshes", .int(refreshes))
        object.append("token_refresh_failures", .int(refreshFailures))
        object.append("auth_refusals", .int(authRefusals))
        object.append("clock_jumps", .int(clockJumps))
        return .object(object)
    }
}
