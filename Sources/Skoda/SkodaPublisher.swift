import JSON
import ServiceKit

/// Where decoded Skoda data goes on the local broker (all under `switchyard/<node>/car/<VIN>/`):
///
/// | topic | payload | retained |
/// |---|---|---|
/// | `<key>` (soc, range_km, minutes_to_finish, charging_state(_raw), charge_mode(_raw), charging_error, departure_error, climatisation_state(_raw), ignition, ...: `SkodaValueInfo.all`) | the value as text; empty = no value | yes |
/// | `event/<name>` | `{"name","timestamp","values":{...}}` | yes |
/// | `operation/<operation>` | `{"status","error","duration_ms","request_id","final"}` | yes |
/// | `raw/<event name>` | the message as Skoda sent it (unknown events, or known ones with unknown fields) | no |
///
/// plus Home Assistant discovery for each value the first time it arrives. Everything at QoS 1.
final class SkodaPublisher {
    private let port: MessagePort
    private let prefix: String
    /// Home Assistant discovery, nil when `skoda.discovery` is off.
    private let discovery: HomeAssistantAnnouncer?
    private var announced: Set<String> = []
    private(set) var published = 0

    init(port: MessagePort, topicPrefix: String, discovery: HomeAssistantAnnouncer?) {
        self.port = port
        self.prefix = topicPrefix
        self.discovery = discovery
    }

    func carTopic(_ vin: String, _ suffix: String) -> String { prefix + "/car/" + vin + "/" + suffix }

    func publish(_ event: SkodaEvent, vin: String) {
        var values = JSONObject(minimumCapacity: event.values.count)
        for (key, value) in event.values {
            values.append(key, value)
            announce(key, vin: vin)
            send(carTopic(vin, key), SkodaPublisher.text(value), retain: true)
        }
        var object = JSONObject(minimumCapacity: 3)
        object.append("name", .string(event.name))
        object.append("timestamp", event.timestamp.map { .string($0) } ?? .null)
        object.append("values", .object(values))
        send(carTopic(vin, "event/" + event.name), JSONValue.object(object).serialized(), retain: true)
    }

    func publish(_ report: SkodaOperationTracker.Report) {
        send(carTopic(report.vin, "operation/" + report.operation), report.json.serialized(), retain: true)
    }

    func publishRaw(_ payload: [UInt8], name: String, vin: String) {
        published += 1
        port.publish(carTopic(vin, "raw/" + name), payload, qos: 1, retain: false)
    }

    /// A value as a topic payload: numbers without a fraction when whole, strings as they are.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return text
        default: return value.serialized()
        }
    }

    private func send(_ topic: String, _ text: String, retain: Bool) {
        published += 1
        // The protocol requirement itself, not the `text:` extension: in the firmware build the
        // extension, called from this module on the existential, resolved to an unspecialized
        // generic stub that traps (seen with Swift 6.3 Embedded, -Osize).
        // QoS 1: the uplink's outbox keeps it through a local broker outage. A parked car
        // sends a few events a day, and the retained value must not stay stale until the next.
        port.publish(topic, Array(text.utf8), qos: 1, retain: retain)
    }

    /// Home Assistant discovery for `key` of car `vin`, once per run.
    private func announce(_ key: String, vin: String) {
        guard let discovery, !announced.contains(vin + "/" + key) else { return }
        announced.insert(vin + "/" + key)
        let info = SkodaValueInfo.info(for: key)
        let device = HomeAssistantEntity.Device(identifier: "skoda_" + vin, name: "Skoda " + vin, manufacturer: "Škoda")
        var entity = HomeAssistantEntity(component: .sensor, source: "skoda", deviceKey: vin, key: key, name: info.name,
                                         stateTopic: carTopic(vin, key), quantity: info.quantity, device: device)
        entity.unit = info.unit
        entity.deviceClass = info.deviceClass
        published += discovery.announce(entity)
    }
}
