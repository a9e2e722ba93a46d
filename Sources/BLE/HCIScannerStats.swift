import JSON

/// The scanner's counters, in `state` and `ble status`.
public struct HCIScannerStats: Equatable {
    /// Commands written to the controller.
    public var commands = 0
    /// Commands the controller did not answer in time.
    public var commandTimeouts = 0
    /// Commands answered with a non-zero status.
    public var commandFailures = 0
    /// Scan (re)starts after the first: watchdog, timeouts, failures, mode changes.
    public var restarts = 0
    /// Restarts because scanning went silent.
    public var watchdogResets = 0
    /// Restarts because someone else (the kernel, pausing the scan to connect) sent LE Set
    /// Scan Enable on our adapter and left the scan off.
    public var restartsAfterKernel = 0
    /// Event packets that did not parse (bad length byte, truncated parameters).
    public var malformedEvents = 0
    /// Advertising report events whose reports ran past their end.
    public var malformedReports = 0
    /// Advertising reports delivered.
    public var reports = 0
    /// Bytes dropped while resynchronising the H4 stream.
    public var resyncBytes = 0
    /// Times the H4 stream lost its framing (a truncated or corrupt packet): each is at
    /// least one packet lost.
    public var resyncs = 0

    /// The counters as a JSON object.
    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 11)
        object.append("commands", .int(commands))
        object.append("command_timeouts", .int(commandTimeouts))
        object.append("command_failures", .int(commandFailures))
        object.append("restarts", .int(restarts))
        object.append("watchdog_resets", .int(watchdogResets))
        object.append("scan_restarts_after_kernel", .int(restartsAfterKernel))
        object.append("malformed_events", .int(malformedEvents))
        object.append("malformed_reports", .int(malformedReports))
        object.append("reports", .int(reports))
        object.append("resync_bytes", .int(resyncBytes))
        object.append("resyncs", .int(resyncs))
        return .object(object)
    }
}
