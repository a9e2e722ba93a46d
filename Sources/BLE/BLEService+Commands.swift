import JSON
import Runtime
import ServiceKit
import Store

extension BLEService {
    /// `ble status|devices|restart`.
    func bleCommand(_ request: CommandRequest) -> CommandReply {
        switch request.argument(0) ?? "status" {
        case "status":
            guard context.isEnabled else { return .failure("BLE is disabled; set ble.enabled to true") }
            return .json(stateJSON())
        case "devices":
            return .text(devicesText())
        case "restart":
            guard let scanner else { return .failure("no scan running (mode " + mode.configName + ")") }
            scanner.restart("requested")
            return .text("scan restarting on " + scanner.transport.label)
        default:
            return .failure("usage: ble status|devices|restart")
        }
    }

    /// One line per device: address, type, name, RSSI, seconds since seen, format.
    func devicesText() -> String {
        guard registry.count > 0 else { return "no BLE devices heard yet" }
        let now = context.clock.now()
        var lines: [String] = []
        for device in registry.sorted {
            var line = device.address.text + " " + device.addressType.name + " rssi " + String(Int(device.rssi))
                + " seen " + String((now - device.lastSeen).milliseconds / 1000) + " s ago"
            if let name = device.name { line += " \"" + name + "\"" }
            if let reading = device.reading { line += " " + reading.format.name }
            if settings.approved[device.address] != nil { line += " approved" }
            if !device.isPresent { line += " away" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The seed's BCMS methods; each answers in the seed's shape. `pair` and `unpair` answer
    /// when the kernel has finished; the rest at once.
    func bcmsCommand(_ request: CommandRequest, answer: @escaping (CommandReply) -> Void) {
        let call: BCMSRequest
        switch BCMSRequest.parse(request) {
        case .success(let parsed): call = parsed
        case .failure(let error): return answer(.failure(error.message))
        }
        switch call.method {
        case .pair, .unpair, .isPaired: pairingCall(call, answer: answer)
        default: answer(bcmsCall(call))
        }
    }

    /// The methods that answer at once.
    private func bcmsCall(_ call: BCMSRequest) -> CommandReply {
        switch call.method {
        case .list:
            return .json(listJSON(onlyApproved: call.onlyApproved))
        case .mode:
            return .json(["mode": .string(mode.configName)])
        case .setMode:
            guard let name = call.mode, let new = BLEMode(name: name) else {
                return status(false, "unknown mode \"" + (call.mode ?? "") + "\"; use off, passive or active")
            }
            return status(setMode(new))
        case .approve:
            guard let address = parseAddress(call.address) else { return status(false, addressError(call.address)) }
            return status(approve(address, iotDeviceID: call.iotDeviceID))
        case .remove:
            guard let address = parseAddress(call.address) else { return status(false, addressError(call.address)) }
            return status(remove(address))
        case .pair, .unpair, .isPaired:
            preconditionFailure("bcmsCommand hands pairing to pairingCall")
        }
    }

    func parseAddress(_ text: String?) -> BLEAddress? { text.flatMap { BLEAddress($0) } }

    func addressError(_ text: String?) -> String {
        guard let text else { return "missing --address (a MAC address like AA:BB:CC:DD:EE:FF)" }
        return "\"" + text + "\" is not a MAC address like AA:BB:CC:DD:EE:FF"
    }

    func status(_ ok: Bool, _ error: String) -> CommandReply {
        .json(["status": .bool(ok), "errors": .array(ok ? [] : [.string(error)])])
    }

    func status(_ outcome: String?) -> CommandReply {
        outcome.map { status(false, $0) } ?? status(true, "")
    }

    /// How long an unapproved device stays in `list` after it was last heard, as the original.
    static let listRecentSeconds: Int64 = 60

    /// `{"devices": [...], "errors": []}`: approved devices first (seen or not), then the rest
    /// heard in the last `listRecentSeconds`, as the original answers.
    func listJSON(onlyApproved: Bool) -> JSONValue {
        let now = context.clock.now()
        let nowSeconds = WallClock.millisecondsSinceEpoch() / 1000
        var devices: [JSONValue] = []
        for address in settings.approved.keys.sorted() {
            let device = registry[address]
            devices.append(BLEDeviceJSON.info(address, device: device, iotDeviceID: settings.approved[address],
                                              paired: pairing.isPaired(address), nowSeconds: nowSeconds,
                                              ageSeconds: device.map { (now - $0.lastSeen).milliseconds / 1000 }))
        }
        if !onlyApproved {
            for device in registry.sorted where settings.approved[device.address] == nil
                && (now - device.lastSeen).milliseconds / 1000 <= BLEService.listRecentSeconds {
                devices.append(BLEDeviceJSON.info(device.address, device: device, iotDeviceID: nil,
                                                  paired: pairing.isPaired(device.address),
                                                  nowSeconds: nowSeconds,
                                                  ageSeconds: (now - device.lastSeen).milliseconds / 1000))
            }
        }
        return ["devices": .array(devices), "errors": .array([])]
    }

    /// Switches the working mode and records it; nil on success, else why not.
    func setMode(_ new: BLEMode) -> String? {
        if let problem = record(BLEConfigKeys.mode.name, new.configName) { return problem }
        mode = new
        settings.mode = new
        applyMode()
        return nil
    }

    /// Approves `address` and records it. The IoT device id is `iotDeviceID` when given, else
    /// the backend's: registration starts now and, when the backend cannot be reached, again
    /// at every submission interval; the approval is kept meanwhile (`MAC=` in ble.approved).
    func approve(_ address: BLEAddress, iotDeviceID: String?) -> String? {
        if let given = iotDeviceID, !IoTDeviceID.isValid(given) {
            return "\"" + given + "\" is not a UUID like cd553938-8960-4e70-864a-a7fba06578c0"
        }
        if let existing = settings.approved[address], iotDeviceID == nil || iotDeviceID == existing {
            if existing.isEmpty { registerPending() }
            return nil
        }
        if let problem = recordApproval(address, iotDeviceID: iotDeviceID ?? "") { return problem }
        log.info("approved " + address.text + (iotDeviceID.map { " as " + $0 } ?? ", registering with the backend"))
        if let device = registry[address] { announce(device) }
        if iotDeviceID == nil { registerPending() }
        return nil
    }

    /// Records `address` as approved under `iotDeviceID` ("" before registration); nil on success.
    func recordApproval(_ address: BLEAddress, iotDeviceID: String) -> String? {
        var approved = settings.approved
        approved[address] = iotDeviceID
        if let problem = record(BLEConfigKeys.approved.name, BLESettings.approvalsText(approved)) { return problem }
        settings.approved = approved
        if !iotDeviceID.isEmpty {
            for sample in awaitingID.release(address, id: iotDeviceID) { iot?.add(sample) }
        }
        return nil
    }

    /// Withdraws approval of `address` and forgets it; nil on success.
    func remove(_ address: BLEAddress) -> String? {
        guard settings.approved[address] != nil || registry[address] != nil else {
            return "unknown device " + address.text
        }
        if settings.approved[address] != nil {
            var approved = settings.approved
            approved.removeValue(forKey: address)
            if let problem = record(BLEConfigKeys.approved.name, BLESettings.approvalsText(approved)) { return problem }
            settings.approved = approved
            awaitingID.forget(address)
        }
        if let device = registry[address] { withdraw(device) }
        registry.remove(address)
        log.info("removed " + address.text)
        return nil
    }

    /// Writes a record key and saves the store; nil on success.
    private func record(_ name: String, _ value: String) -> String? { context.store.record(name, value) }
}
