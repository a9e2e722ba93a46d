import JSON
import ServiceKit

/// Puts the stream on the local broker: BMW's JSON unchanged on `<prefix>/<VIN>` (Home
/// Assistant's CarData integration in custom-broker mode reads it), each value retained on
/// `switchyard/<node>/car/<VIN>/<key>`, and Home Assistant discovery for values that arrived.
public final class CarDataRepublisher {
    private let port: MessagePort
    private let rawPrefix: String
    private let valuePrefix: String
    private let node: String
    private let discovery: Bool
    /// "<VIN>/<key>" for which discovery went out (bounded by the catalogue's few hundred keys
    /// per car; beyond `maxDiscovered` no more configs are sent, and that is counted).
    private var discovered = Set<String>()
    static let maxDiscovered = 4096
    public private(set) var republished = 0
    public private(set) var valuesPublished = 0
    public private(set) var discoverySkipped = 0

    /// `topicPrefix` is `switchyard/<node>`.
    public init(port: MessagePort, rawPrefix: String, topicPrefix: String, node: String, discovery: Bool) {
        self.port = port
        self.rawPrefix = rawPrefix
        self.valuePrefix = topicPrefix + "/car/"
        self.node = node
        self.discovery = discovery
    }

    /// Republishes one stream message: `payload` byte for byte, then its readings.
    public func publish(_ message: CarDataMessage, payload: [UInt8], catalogue: CarDataCatalogue) {
        port.publish(rawPrefix + "/" + message.vin, payload, qos: 1, retain: false)
        republished += 1
        for reading in message.readings {
            let topic = valueTopic(vin: message.vin, key: reading.key)
            port.publish(topic, Array(reading.payloadText.utf8), qos: 1, retain: true)
            valuesPublished += 1
            if discovery { announce(reading, vin: message.vin, topic: topic, catalogue: catalogue) }
        }
    }

    public func valueTopic(vin: String, key: String) -> String { valuePrefix + vin + "/" + key }

    /// Home Assistant discovery for one value, the first time it arrives.
    private func announce(_ reading: CarDataMessage.Reading, vin: String, topic: String, catalogue: CarDataCatalogue) {
        let id = vin + "/" + reading.key
        guard !discovered.contains(id) else { return }
        guard discovered.count < CarDataRepublisher.maxDiscovered else {
            discoverySkipped += 1
            return
        }
        discovered.insert(id)
        let objectID = "switchyard_" + node + "_" + vin + "_" + CarDataRepublisher.slug(reading.key)
        let component = reading.isBoolean ? "binary_sensor" : "sensor"
        var config = JSONObject(minimumCapacity: 8)
        config.append("name", .string(catalogue.name(reading.key)))
        config.append("unique_id", .string(objectID))
        config.append("object_id", .string(objectID))
        config.append("state_topic", .string(topic))
        if reading.isBoolean {
            config.append("payload_on", "true")
            config.append("payload_off", "false")
        } else if reading.isNumeric {
            if let unit = reading.unit ?? catalogue.unit(reading.key), !unit.isEmpty {
                config.append("unit_of_measurement", .string(unit))
            }
            config.append("state_class", "measurement")
        }
        config.append("device", ["identifiers": [.string("bmw_" + vin)], "name": .string("BMW " + vin),
                                 "manufacturer": "BMW", "via_device": .string("switchyard_" + node)])
        port.publish("homeassistant/" + component + "/" + objectID + "/config",
                     Array(JSONValue.object(config).serialized().utf8), qos: 1, retain: true)
    }

    /// A key as Home Assistant's object id wants it: letters, digits and underscores.
    static func slug(_ key: String) -> String {
        var bytes: [UInt8] = []
        for byte in key.utf8 {
            let keep = (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90)
            bytes.append(keep ? byte : UInt8(ascii: "_"))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
