import JSON

/// Home Assistant MQTT discovery, built the same way for every service (BLE, Skoda, CarData).
///
/// - The gateway is a device of its own (`switchyard_<node>`) with one connectivity
///   `binary_sensor` on `switchyard/<node>/status`, the topic the uplink's birth (`online`)
///   and last will (`offline`) go to. Every service device points `via_device` at it.
/// - Every entity is available only while that status topic says `online`, so all of them
///   go unavailable when the gateway dies; an entity with a second topic (BLE presence)
///   needs both (`availability_mode: all`).
/// - Unique ids (and discovery object ids) are `switchyard_<node>_<source>_<device>_<key>`,
///   lowercase letters, digits and underscores.
///
/// The gateway's own config is sent by `HomeAssistantAnnouncer` before a service's first
/// entity: only services that do discovery know the prefix they were given, and it is
/// retained and the same bytes every time, so three services sending it is harmless.
public struct HomeAssistantDiscovery {
    /// Home Assistant's discovery prefix (`homeassistant` unless configured).
    public let prefix: String
    public let node: String
    /// `switchyard/<node>/status`.
    public let statusTopic: String

    /// `topicPrefix` is the gateway's `switchyard/<node>`.
    public init(prefix: String, node: String, topicPrefix: String) {
        self.prefix = prefix
        self.node = node
        statusTopic = topicPrefix + "/status"
    }

    /// The gateway device's identifier, the `via_device` of every other device.
    public var gatewayIdentifier: String { "switchyard_" + HomeAssistantDiscovery.slug(node) }

    /// Where the gateway's connectivity sensor is announced.
    public var gatewayTopic: String { prefix + "/binary_sensor/" + gatewayIdentifier + "_status/config" }

    /// The gateway's connectivity sensor: on while the status topic says `online`.
    public func gatewayConfig() -> JSONValue {
        var object = JSONObject(minimumCapacity: 8)
        object.append("name", "Status")
        object.append("unique_id", .string(gatewayIdentifier + "_status"))
        object.append("state_topic", .string(statusTopic))
        object.append("payload_on", .string(HomeAssistantDiscovery.online))
        object.append("payload_off", .string(HomeAssistantDiscovery.offline))
        object.append("device_class", "connectivity")
        object.append("entity_category", "diagnostic")
        var device = JSONObject(minimumCapacity: 3)
        device.append("identifiers", .array([.string(gatewayIdentifier)]))
        device.append("name", .string("Switchyard " + node))
        device.append("manufacturer", "Switchyard")
        object.append("device", .object(device))
        return .object(object)
    }

    /// `switchyard_<node>_<source>_<device>_<key>`.
    public func uniqueID(source: String, deviceKey: String, key: String) -> String {
        gatewayIdentifier + "_" + HomeAssistantDiscovery.slug(source) + "_" + HomeAssistantDiscovery.slug(deviceKey)
            + "_" + HomeAssistantDiscovery.slug(key)
    }

    /// `entity`'s unique id.
    public func uniqueID(_ entity: HomeAssistantEntity) -> String {
        uniqueID(source: entity.source, deviceKey: entity.deviceKey, key: entity.key)
    }

    /// Where a config is announced (and withdrawn with an empty payload).
    public func topic(component: HomeAssistantEntity.Component, source: String, deviceKey: String, key: String) -> String {
        prefix + "/" + component.name + "/" + uniqueID(source: source, deviceKey: deviceKey, key: key) + "/config"
    }

    /// Where `entity`'s config is announced.
    public func topic(_ entity: HomeAssistantEntity) -> String {
        topic(component: entity.component, source: entity.source, deviceKey: entity.deviceKey, key: entity.key)
    }

    /// `entity`'s discovery config.
    public func config(_ entity: HomeAssistantEntity) -> JSONValue {
        var object = JSONObject(minimumCapacity: 14)
        object.append("name", .string(entity.name))
        object.append("unique_id", .string(uniqueID(entity)))
        object.append("state_topic", .string(entity.stateTopic))
        if let template = entity.valueTemplate { object.append("value_template", .string(template)) }
        if let on = entity.payloadOn { object.append("payload_on", .string(on)) }
        if let off = entity.payloadOff { object.append("payload_off", .string(off)) }
        if let unit = entity.unit, !unit.isEmpty { object.append("unit_of_measurement", .string(unit)) }
        if let deviceClass = entity.deviceClass, !deviceClass.isEmpty { object.append("device_class", .string(deviceClass)) }
        if let stateClass = entity.stateClass { object.append("state_class", .string(stateClass)) }
        var availability: [JSONValue] = [availabilityEntry(statusTopic, HomeAssistantDiscovery.online,
                                                           HomeAssistantDiscovery.offline)]
        if let extra = entity.extraAvailability {
            availability.append(availabilityEntry(extra.topic, extra.available, extra.notAvailable))
            object.append("availability_mode", "all")
        }
        object.append("availability", .array(availability))
        object.append("device", .object(device(entity.device)))
        return .object(object)
    }

    private func availabilityEntry(_ topic: String, _ available: String, _ notAvailable: String) -> JSONValue {
        var object = JSONObject(minimumCapacity: 3)
        object.append("topic", .string(topic))
        object.append("payload_available", .string(available))
        object.append("payload_not_available", .string(notAvailable))
        return .object(object)
    }

    private func device(_ device: HomeAssistantEntity.Device) -> JSONObject {
        var object = JSONObject(minimumCapacity: 6)
        object.append("identifiers", .array([.string(device.identifier)]))
        if let mac = device.macAddress { object.append("connections", .array([.array([.string("mac"), .string(mac)])])) }
        object.append("name", .string(device.name))
        if let manufacturer = device.manufacturer { object.append("manufacturer", .string(manufacturer)) }
        if let model = device.model { object.append("model", .string(model)) }
        object.append("via_device", .string(gatewayIdentifier))
        return object
    }

    /// What the status topic carries (`StatusTopics.online` / `.offline`).
    static let online = String(decoding: StatusTopics.online, as: UTF8.self)
    static let offline = String(decoding: StatusTopics.offline, as: UTF8.self)

    /// `text` as an id segment: lowercase letters, digits and underscores.
    public static func slug(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x61...0x7A: bytes.append(byte)
            case 0x41...0x5A: bytes.append(byte + 0x20)
            default: bytes.append(UInt8(ascii: "_"))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
