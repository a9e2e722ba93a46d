import ServiceKit
import JSON
import Runtime

extension BenchlabService {
    /// `benchlab list` (the default) and `benchlab rescan`.
    func command(_ request: CommandRequest) -> CommandReply {
        switch request.argument(0) ?? "list" {
        case "list":
            return .text(listText())
        case "rescan":
            guard isEnabled else { return .failure("Benchlab is disabled; set benchlab.enabled to true") }
            rescan()
            return .text(listText())
        default:
            return .failure("usage: benchlab list|rescan")
        }
    }

    /// One line per device: UID, model and firmware, port, state and counters.
    func listText() -> String {
        guard isEnabled else { return "Benchlab is disabled (benchlab.enabled = false)" }
        guard !devices.isEmpty else { return "no Benchlab devices (ports are scanned every "
            + settings.rescanInterval.millisecondsText + " ms)" }
        var lines: [String] = []
        for device in devices {
            var line = (device.identity?.uid ?? "(unidentified)")
            if let identity = device.identity {
                line += " " + identity.model.name + " fw " + String(identity.firmware)
            }
            line += " " + device.path + " " + device.state.name
            let stats = device.stats
            line += " polls=" + String(stats.polls) + " published=" + String(stats.published)
                + " timeouts=" + String(stats.timeouts) + " short=" + String(stats.shortReplies)
                + " malformed=" + String(stats.malformedFrames) + " disconnects=" + String(stats.disconnects)
            if device.state != .polling && !stats.lastError.isEmpty { line += " last error: " + stats.lastError }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// A device's block in `state`.
    static func deviceJSON(_ device: BenchlabDevice) -> JSONValue {
        var object = JSONObject(minimumCapacity: 7)
        object.append("port", .string(device.path))
        object.append("uid", device.identity.map { .string($0.uid) } ?? .null)
        object.append("model", device.identity.map { .string($0.model.name) } ?? .null)
        object.append("firmware", device.identity.map { .int($0.firmware) } ?? .null)
        object.append("state", .string(device.state.name))
        object.append("explicit", .bool(device.isExplicit))
        object.append("stats", device.stats.json)
        return .object(object)
    }
}
