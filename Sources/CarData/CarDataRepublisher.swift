import JSON
import Runtime
import ServiceKit

/// Puts the stream on the local broker: BMW's JSON unchanged on `<prefix>/<VIN>` (Home
/// Assistant's CarData integration in custom-broker mode reads it), each value retained on
/// `switchyard/<node>/car/<VIN>/<key>`, and Home Assistant discovery for values that arrived.
public final class CarDataRepublisher {
    private let port: MessagePort
    private let rawPrefix: String
    private let valuePrefix: String
    /// Home Assistant discovery, nil when `bmw.ha_discovery` is off.
    private let discovery: HomeAssistantAnnouncer?
    /// "<VIN>/<key>" for which discovery went out (bounded by the catalogue's few hundred keys
    /// per car; beyond `maxDiscovered` no more configs are sent, and that is counted).
    private var discovered = Set<String>()
    static let maxDiscovered = 4096
    public private(set) var republished = 0
    public private(set) var valuesPublished = 0
    public private(set) var discoverySkipped = 0

    /// `topicPrefix` is `switchyard/<node>`.
    /// `discovery` announces under Home Assistant's `bmw.discovery_prefix`, nil for no discovery.
    public init(port: MessagePort, rawPrefix: String, topicPrefix: String, discovery: HomeAssistantAnnouncer?) {
        self.port = port
        self.rawPrefix = rawPrefix
        self.valuePrefix = topicPrefix + "/car/"
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
            if let discovery { announce(reading, vin: message.vin, topic: topic, catalogue: catalogue, through: discovery) }
        }
    }

    public func valueTopic(vin: String, key: String) -> String { valuePrefix + vin + "/" + key }

    /// Home Assistant discovery for one value, the first time it arrives.
    private func announce(_ reading: CarDataMessage.Reading, vin: String, topic: String, catalogue: CarDataCatalogue,
                          through discovery: HomeAssistantAnnouncer) {
        let id = vin + "/" + reading.key
        guard !discovered.contains(id) else { return }
        guard discovered.count < CarDataRepublisher.maxDiscovered else {
            discoverySkipped += 1
            return
        }
        discovered.insert(id)
        let device = HomeAssistantEntity.Device(identifier: "bmw_" + vin, name: "BMW " + vin, manufacturer: "BMW")
        var entity = HomeAssistantEntity(
            component: reading.isBoolean ? .binarySensor : .sensor, source: "bmw", deviceKey: vin, key: reading.key,
            name: catalogue.name(reading.key), stateTopic: topic,
            quantity: reading.isNumeric ? CarDataRepublisher.quantity(reading.key) : .text, device: device)
        if reading.isBoolean {
            entity.payloadOn = "true"
            entity.payloadOff = "false"
        } else if reading.isNumeric {
            entity.unit = reading.unit ?? catalogue.unit(reading.key)
        }
        entity.deviceClass = CarDataRepublisher.deviceClass(reading.key, isBoolean: reading.isBoolean, unit: entity.unit)
        discovery.announce(entity)
    }

    /// Door states are doors (open = on); the high-voltage battery's state of charge is a battery.
    static func deviceClass(_ key: String, isBoolean: Bool, unit: String?) -> String? {
        if isBoolean { return key.containsText(".door.") ? "door" : nil }
        if unit == "%" && (key.containsText("batteryManagement.header") || key.containsText("charging.level")
                           || key.containsText("stateOfCharge")) {
            return "battery"
        }
        return nil
    }

    /// The odometer only grows; other numbers are measurements (energy in kWh is made
    /// `total_increasing` by the builder from its unit).
    static func quantity(_ key: String) -> HomeAssistantEntity.Quantity {
        key.containsText("travelledDistance") || key.containsText("mileage") || key.containsText("odometer") ? .counted : .measured
    }
}
