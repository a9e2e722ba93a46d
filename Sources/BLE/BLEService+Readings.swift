import Runtime
import ServiceKit

/// Each BLE device as a person reads it: its decoded values, RSSI, when it was last heard,
/// and whether it is approved and paired.
extension BLEService {
    /// Devices shown at most: approved ones first, then the most recently heard (a busy
    /// street must not make the page heavy).
    static let readingDevices = 24

    public var readings: [ReadingGroup] {
        let now = context.clock.now()
        var chosen: [BLEDevice] = []
        for address in settings.approved.keys.sorted() { if let device = registry[address] { chosen.append(device) } }
        let others = registry.sorted.filter { settings.approved[$0.address] == nil && $0.reading != nil }
            .sorted { $0.lastSeen > $1.lastSeen }
        chosen += others.prefix(max(0, BLEService.readingDevices - chosen.count))
        var groups: [ReadingGroup] = []
        for device in chosen.prefix(BLEService.readingDevices) {
            var badges: [String] = []
            if settings.approved[device.address] != nil { badges.append("approved") }
            if pairing.isPaired(device.address) { badges.append("paired") }
            if !device.isPresent { badges.append("away") }
            var values: [Reading] = []
            for measurement in device.reading?.measurements ?? [] where BLEService.shown(measurement.kind) {
                let kind = measurement.kind
                let trend = kind == .temperature || kind == .humidity || kind == .power || kind == .heartRate
                values.append(.number(kind.key, BLEService.title(kind), measurement.value, unit: kind.unit, trend: trend))
            }
            values.append(.number("rssi", "RSSI", Double(device.rssi), unit: "dBm"))
            values.append(.number("last_seen", "Last seen", Double((now - device.lastSeen).milliseconds / 1000), unit: "s ago"))
            let title = device.name.map { $0 + " · " + device.address.text } ?? device.address.text
            groups.append(ReadingGroup(id: device.address.text, title: title, badges: badges, readings: values))
        }
        return groups
    }

    /// `battery_low` -> "Battery low".
    static func title(_ kind: MeasurementKind) -> String {
        var text = ""
        for character in kind.key {
            if text.isEmpty { text += character.uppercased() } else { text.append(character == "_" ? " " : character) }
        }
        return text
    }

    /// Counters and bookkeeping a person does not read (packet ids, sequence numbers).
    static func shown(_ kind: MeasurementKind) -> Bool {
        switch kind {
        case .packetID, .sequence, .timestamp, .movementCounter, .txPower: return false
        default: return true
        }
    }
}
