import JSON
import ServiceKit

extension OTAService {
    /// `ota status` (the default), `ota abort` and `ota stage FILE` (an uploaded bundle).
    func command(_ request: CommandRequest) -> CommandReply {
        switch request.argument(0) ?? "status" {
        case "status":
            return context.statusReply(statusJSON())
        case "abort":
            guard let transfer = handleAbort() else { return .failure("no transfer in progress") }
            return .text("abandoned the transfer of " + transfer.manifest.version.description)
        case "stage":
            guard let path = request.argument(1) else { return .failure("usage: ota stage FILE (from `switchyard ota sign`)") }
            return stage(path)
        default:
            return .failure("usage: ota status|abort|stage FILE")
        }
    }

    /// Slots, versions, trial state, the transfer and the last failure.
    func statusJSON() -> JSONValue {
        var object = JSONObject(minimumCapacity: 8)
        object.append("enabled", .bool(context.isEnabled))
        object.append("running", .string(runningVersion))
        object.append("slot", .string(runningSlot.name))
        object.append("update", status.json(running: runningVersion, slot: runningSlot, serial: lastSerial))
        // A command may read the disk: the record as it is now, with the last failure.
        if let record = loadRecord() {
            object.append("record", record.json)
        } else {
            object.append("record", .string("unreadable: the supervisor starts the factory binary"))
        }
        return .object(object)
    }
}
