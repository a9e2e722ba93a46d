import CapnProto
import JSON
import ServiceKit

/// The BCMS capability a Cap'n Proto client bootstraps: each method runs the `bcms` command
/// (the same handlers as the console, MQTT and JSON-RPC) and its JSON answer becomes the
/// method's results. Ordinary failures go in `errors`, as the original does; a method
/// ordinal outside the schema gets an `unimplemented` exception and the connection stays.
///
/// Working mode: the original's `mode` is which devices' data goes to the backend, and it
/// always answered `approved`. So does this one: only approved devices' data is submitted,
/// whatever the scan mode (`ble.mode`: off, passive, active; `bcms set_mode` over JSON-RPC).
/// `setMode(approved)` answers true and changes nothing; `setMode(any)` answers false with
/// the reason in `errors`, since submitting every device's data is not something we do.
final class BCMSCapnpInterface: CapnpInterface {
    let interfaceID = BCMSCapnpSchema.interfaceID
    private let run: (CommandRequest, @escaping (CommandReply) -> Void) -> Void

    /// `run` executes a `bcms` request and answers once (the service's `bcmsCommand`).
    init(run: @escaping (CommandRequest, @escaping (CommandReply) -> Void) -> Void) {
        self.run = run
    }

    func call(method ordinal: UInt16, params: CapnpStructReader, answer: CapnpAnswer) {
        guard let method = BCMSCapnpSchema.Method(rawValue: ordinal) else {
            return answer.exception(.unimplemented, "BCMS has no method @" + String(ordinal))
        }
        var parameters = JSONObject(minimumCapacity: 3)
        parameters.append("method", .string(method.commandName))
        switch method {
        case .list:
            parameters.append("onlyApproved", .bool(params.bool(at: 0)))
        case .mode:
            return answer.results(dataWords: BCMSCapnpSchema.modeResultData, pointerCount: BCMSCapnpSchema.modeResultPointers) {
                $0.setUInt16(at: 0, BCMSCapnpSchema.WorkingMode.approved.rawValue)
            }
        case .setMode:
            let wanted = params.uint16(at: 0)
            let ok = wanted == BCMSCapnpSchema.WorkingMode.approved.rawValue
            let errors = ok ? [] : ["this gateway submits data of approved devices only (mode approved); "
                                    + "the scan mode is ble.mode (off, passive, active)"]
            return BCMSCapnpInterface.status(ok, errors, answer)
        case .approve, .remove, .pair, .unpair, .isPaired:
            let address: String
            do throws(CapnpError) { address = try params.text(0) } catch {
                return BCMSCapnpInterface.status(false, ["address: " + error.description], answer)
            }
            parameters.append("address", .string(address))
        }
        let request = CommandRequest(origin: .rpc, arguments: [], parameters: parameters, allowsPrivileged: true)
        run(request) { reply in
            guard answer.isPending else { return }
            if method == .list {
                BCMSCapnpInterface.devices(reply, answer)
            } else {
                BCMSCapnpInterface.status(reply, answer)
            }
        }
    }

    /// `(status, errors)` from a command reply: its `status` and `errors`, or false and the
    /// failure message.
    private static func status(_ reply: CommandReply, _ answer: CapnpAnswer) {
        guard reply.ok, case .json(let value) = reply.output else {
            return status(false, [reply.output.text], answer)
        }
        status(value["status"]?.boolValue ?? false, texts(value["errors"]), answer)
    }

    private static func status(_ ok: Bool, _ errors: [String], _ answer: CapnpAnswer) {
        answer.results(dataWords: BCMSCapnpSchema.statusResultData, pointerCount: BCMSCapnpSchema.statusResultPointers) {
            $0.setBool(at: 0, ok)
            $0.setTextList(0, errors)
        }
    }

    /// `(devices, errors)` from the `list` reply: address, name, approved, paired of each.
    private static func devices(_ reply: CommandReply, _ answer: CapnpAnswer) {
        var devices: [JSONValue] = []
        var errors: [String] = []
        if reply.ok, case .json(let value) = reply.output {
            if case .array(let list)? = value["devices"] { devices = list }
            errors = texts(value["errors"])
        } else {
            errors = [reply.output.text]
        }
        answer.results(dataWords: BCMSCapnpSchema.listResultData, pointerCount: BCMSCapnpSchema.listResultPointers) { results in
            let infos = results.initStructList(0, count: devices.count, dataWords: BCMSCapnpSchema.deviceInfoData,
                                               pointerCount: BCMSCapnpSchema.deviceInfoPointers)
            for (info, device) in zip(infos, devices) {
                info.setText(0, device["address"]?.stringValue ?? "")
                info.setText(1, device["name"]?.stringValue ?? "")
                info.setBool(at: 0, device["approved"]?.boolValue ?? false)
                info.setBool(at: 1, device["paired"]?.boolValue ?? false)
            }
            results.setTextList(1, errors)
        }
    }

    private static func texts(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.map { $0.stringValue ?? $0.serialized() }
    }
}
