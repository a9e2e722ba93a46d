import JSON

/// Home Assistant MQTT discovery for the decoded values of approved devices: one retained
/// config per value under `<prefix>/sensor|binary_sensor/<node>_<MAC>_<key>/config`,
/// grouped into one Home Assistant device per BLE device.
enum HomeAssistantDiscovery {
    /// The discovery topic for `kind` of `address`.
    static func topic(prefix: String, node: String, address: BLEAddress, kind: MeasurementKind) -> String {
        prefix + "/" + (kind.isBinary ? "binary_sensor" : "sensor") + "/" + objectID(node: node, address: address, kind: kind)
            + "/config"
    }

    static func objectID(node: String, address: BLEAddress, kind: MeasurementKind) -> String {
        node + "_" + address.compact.lowercased() + "_" + kind.key
    }

    /// The config payload: state and availability topics, template, unit and class, device.
    static func config(node: String, address: BLEAddress, name: String?, kind: MeasurementKind, format: SensorFormat,
                       stateTopic: String, availabilityTopic: String) -> JSONValue {
        var object = JSONObject(minimumCapacity: 12)
        let deviceName = name ?? ("BLE " + address.text)
        object.append("name", .string(kind.key.replacingUnderscores()))
        object.append("unique_id", .string(objectID(node: node, address: address, kind: kind)))
        object.append("state_topic", .string(stateTopic))
        if kind.isBinary {
            object.append("value_template", .string("{{ 'ON' if value_json." + kind.key + " else 'OFF' }}"))
        } else {
            object.append("value_template", .string("{{ value_json." + kind.key + " }}"))
            object.append("state_class", .string("measurement"))
        }
        if !kind.unit.isEmpty { object.append("unit_of_measurement", .string(kind.unit)) }
        if !kind.deviceClass.isEmpty { object.append("device_class", .string(kind.deviceClass)) }
        object.append("availability_topic", .string(availabilityTopic))
        object.append("payload_available", .string("home"))
        object.append("payload_not_available", .string("away"))
        var device = JSONObject(minimumCapacity: 4)
        device.append("identifiers", .array([.string("ble_" + address.compact.lowercased())]))
        device.append("connections", .array([.array([.string("mac"), .string(address.text)])]))
        device.append("name", .string(deviceName))
        device.append("model", .string(format.name))
        device.append("via_device", .string(node))
        object.append("device", .object(device))
        return .object(object)
    }
}

extension String {
    /// `battery_low` -> `battery low`, for entity names.
    func replacingUnderscores() -> String {
        String(decoding: utf8.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
