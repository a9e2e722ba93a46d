import ServiceKit

/// Home Assistant discovery for the decoded values of approved devices, through ServiceKit's
/// one builder: a `sensor` or `binary_sensor` per value, one Home Assistant device per BLE
/// device (linked to the gateway), available while the gateway is online and the device
/// present.
extension BLEService {
    /// The source segment of BLE's unique ids.
    static let discoverySource = "ble"

    /// The entity for `kind` of `address`.
    func discoveryEntity(address: BLEAddress, name: String?, kind: MeasurementKind, format: SensorFormat) -> HomeAssistantEntity {
        let device = HomeAssistantEntity.Device(identifier: "ble_" + address.compact.lowercased(),
                                                name: name ?? ("BLE " + address.text), model: format.name,
                                                macAddress: address.text)
        var entity = HomeAssistantEntity(
            component: kind.isBinary ? .binarySensor : .sensor, source: BLEService.discoverySource,
            deviceKey: address.compact, key: kind.key, name: kind.key.replacingUnderscores(),
            stateTopic: deviceTopic(address), quantity: kind.isBinary ? .text : .measured, device: device)
        entity.valueTemplate = kind.isBinary ? "{{ 'ON' if value_json." + kind.key + " else 'OFF' }}"
                                             : "{{ value_json." + kind.key + " }}"
        entity.unit = kind.unit
        entity.deviceClass = kind.deviceClass
        entity.extraAvailability = .init(topic: presenceTopic(address), available: "home", notAvailable: "away")
        return entity
    }

    /// Home Assistant discovery for the values of an approved device not yet announced.
    func announce(_ device: BLEDevice) {
        guard settings.discovery, let reading = device.reading else { return }
        for measurement in reading.measurements where measurement.kind.isDiscoverable {
            let kind = measurement.kind
            guard !device.announced.contains(kind.rawValue) else { continue }
            discovery.announce(discoveryEntity(address: device.address, name: device.name, kind: kind, format: reading.format))
            device.announced.insert(kind.rawValue)
            stats.discoveryConfigs += 1
        }
    }

    /// Withdraws the discovery configs of a device (empty retained payloads).
    func withdraw(_ device: BLEDevice) {
        for raw in device.announced {
            guard let kind = MeasurementKind(rawValue: raw) else { continue }
            discovery.withdraw(component: kind.isBinary ? .binarySensor : .sensor, source: BLEService.discoverySource,
                               deviceKey: device.address.compact, key: kind.key)
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
