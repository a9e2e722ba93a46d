import ServiceKit

/// Home Assistant discovery for the decoded values of approved devices, through ServiceKit's
/// one builder: a `sensor` or `binary_sensor` per value, one Home Assistant device per BLE
/// device (linked to the gateway), available while the gateway is online and the device
/// present.
extension BLEService {
    /// The source segment of BLE's unique ids.
    static let discoverySource = "ble"

    /// The entity for the `occurrence`-th value of `kind` of `address` (its key `temperature`,
    /// `temperature_2`, ...), with the kind's unit, device class and state class.
    func discoveryEntity(address: BLEAddress, name: String?, kind: MeasurementKind, format: SensorFormat,
                         occurrence: Int = 1) -> HomeAssistantEntity {
        let key = SensorReading.key(kind, occurrence: occurrence)
        let device = HomeAssistantEntity.Device(identifier: "ble_" + address.compact.lowercased(),
                                                name: name ?? ("BLE " + address.text), model: format.name,
                                                macAddress: address.text)
        var entity = HomeAssistantEntity(
            component: kind.isBinary ? .binarySensor : .sensor, source: BLEService.discoverySource,
            deviceKey: address.compact, key: key, name: key.replacingUnderscores(),
            stateTopic: deviceTopic(address),
            quantity: kind.isBinary || kind.isText ? .text : kind.isTotal ? .counted : .measured, device: device)
        entity.valueTemplate = kind.isBinary ? "{{ 'ON' if value_json." + key + " else 'OFF' }}"
                                             : "{{ value_json." + key + " }}"
        entity.unit = kind.unit
        entity.deviceClass = kind.deviceClass
        entity.extraAvailability = .init(topic: presenceTopic(address), available: "home", notAvailable: "away")
        return entity
    }

    /// Home Assistant discovery for the values of an approved device not yet announced.
    func announce(_ device: BLEDevice) {
        guard settings.discovery, let reading = device.reading else { return }
        let occurrences = reading.occurrences
        for (index, measurement) in reading.measurements.enumerated() where measurement.kind.isDiscoverable {
            let kind = measurement.kind
            let tag = UInt16(kind.rawValue) | UInt16(min(occurrences[index], 255)) << 8
            guard !device.announced.contains(tag) else { continue }
            discovery.announce(discoveryEntity(address: device.address, name: device.name, kind: kind,
                                               format: reading.format, occurrence: occurrences[index]))
            device.announced.insert(tag)
            stats.discoveryConfigs += 1
        }
    }

    /// Withdraws the discovery configs of a device (empty retained payloads).
    func withdraw(_ device: BLEDevice) {
        for tag in device.announced {
            guard let kind = MeasurementKind(rawValue: UInt8(tag & 0xFF)) else { continue }
            discovery.withdraw(component: kind.isBinary ? .binarySensor : .sensor, source: BLEService.discoverySource,
                               deviceKey: device.address.compact, key: SensorReading.key(kind, occurrence: Int(tag >> 8)))
        }
        device.announced.removeAll()
        withdrawBloodPressure(device)
    }
}

extension String {
    /// `battery_low` -> `battery low`, for entity names.
    func replacingUnderscores() -> String {
        String(decoding: utf8.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
