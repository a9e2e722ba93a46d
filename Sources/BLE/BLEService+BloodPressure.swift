import JSON
import Runtime
import ServiceKit

/// What a blood-pressure cuff's measurement becomes: a JSON message on
/// `<device topic>/blood_pressure` (mmHg, with Home Assistant discovery for systolic,
/// diastolic and pulse), and the backend's `blood_pressure` {sys, dias} and `heart_rate`
/// {rate} samples stamped with the cuff's own time stamp.
extension BLEService {
    /// The topic of a device's blood-pressure measurements.
    func bloodPressureTopic(_ address: BLEAddress) -> String { deviceTopic(address) + "/blood_pressure" }

    func bloodPressure(_ link: GATTLink, _ measurement: BloodPressureMeasurement) {
        let stamp = measurement.time?.epochSeconds
        // A cuff resends its stored readings on each connection: older than the newest one
        // accepted means already handled.
        if let stamp, let last = link.lastMeasurementTime, stamp <= last {
            stats.bloodPressureRepeats += 1
            return
        }
        if let stamp { link.lastMeasurementTime = stamp }
        stats.bloodPressure += 1
        let timestamp = stamp ?? WallClock.millisecondsSinceEpoch() / 1000
        let address = link.address
        announceBloodPressure(link)
        send(bloodPressureTopic(address), BLEService.bloodPressureJSON(measurement, timestamp: timestamp).serialized(),
             qos: 1, retain: false)
        guard iot != nil, let id = settings.approved[address] else { return }
        for sample in IoTDataModel.samples(measurement, iotDeviceID: id, timestamp: timestamp) { queue(sample, of: address) }
    }

    /// `{"systolic","diastolic","mean_arterial_pressure","pulse","unit":"mmHg","timestamp"}`;
    /// a value the cuff marked NaN, NRes or infinite is null.
    static func bloodPressureJSON(_ measurement: BloodPressureMeasurement, timestamp: Int64) -> JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { IoTDataModel.number($0) } ?? .null }
        var object = JSONObject(minimumCapacity: 7)
        object.append("systolic", number(measurement.millimetresOfMercury(measurement.systolic)))
        object.append("diastolic", number(measurement.millimetresOfMercury(measurement.diastolic)))
        object.append("mean_arterial_pressure", number(measurement.millimetresOfMercury(measurement.meanArterialPressure)))
        object.append("pulse", number(measurement.pulse))
        object.append("unit", .string("mmHg"))
        object.append("timestamp", .int(timestamp))
        if let user = measurement.userID { object.append("user_id", .int(user)) }
        return .object(object)
    }

    static let bloodPressureKeys: [(key: String, unit: String)] = [("systolic", "mmHg"), ("diastolic", "mmHg"),
                                                                  ("mean_arterial_pressure", "mmHg"), ("pulse", "bpm")]

    /// Withdraws a cuff's blood-pressure entities (empty retained configs).
    func withdrawBloodPressure(_ device: BLEDevice) {
        guard BloodPressureCuff.matches(device.name) else { return }
        for entry in BLEService.bloodPressureKeys {
            discovery.withdraw(component: .sensor, source: BLEService.discoverySource, deviceKey: device.address.compact, key: entry.key)
        }
        gattLinks[device.address]?.announcedBloodPressure = false
    }

    private func announceBloodPressure(_ link: GATTLink) {
        guard settings.discovery, !link.announcedBloodPressure else { return }
        link.announcedBloodPressure = true
        let address = link.address
        let device = HomeAssistantEntity.Device(identifier: "ble_" + address.compact.lowercased(),
                                                name: registry[address]?.name ?? ("BLE " + address.text),
                                                model: "blood_pressure", macAddress: address.text)
        for (key, unit) in BLEService.bloodPressureKeys {
            var entity = HomeAssistantEntity(component: .sensor, source: BLEService.discoverySource, deviceKey: address.compact,
                                             key: key, name: key.replacingUnderscores(), stateTopic: bloodPressureTopic(address),
                                             quantity: .measured, device: device)
            entity.valueTemplate = "{{ value_json." + key + " }}"
            entity.unit = unit
            entity.extraAvailability = .init(topic: presenceTopic(address), available: "home", notAvailable: "away")
            discovery.announce(entity)
            stats.discoveryConfigs += 1
        }
    }
}
