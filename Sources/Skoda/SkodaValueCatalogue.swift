import ServiceKit

/// How each decoded value is shown in Home Assistant: a name, a unit, a device class and
/// what kind of quantity it is (its `state_class` follows from that).
struct SkodaValueInfo {
    let key: String
    let name: String
    let unit: String?
    let deviceClass: String?
    let quantity: HomeAssistantEntity.Quantity

    static let all: [SkodaValueInfo] = [
        SkodaValueInfo(key: "soc", name: "Battery level", unit: "%", deviceClass: "battery", quantity: .measured),
        SkodaValueInfo(key: "range_km", name: "Range", unit: "km", deviceClass: "distance", quantity: .measured),
        SkodaValueInfo(key: "minutes_to_finish", name: "Charging time left", unit: "min", deviceClass: "duration",
                       quantity: .measured),
        SkodaValueInfo(key: "charging_state", name: "Charging state", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "charging_state_raw", name: "Charging state (as sent)", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "charge_mode", name: "Charge mode", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "charge_mode_raw", name: "Charge mode (as sent)", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "charging_event", name: "Last charging event", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "charging_error", name: "Charging error", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "ignition", name: "Ignition", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "connection", name: "Connection", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "departure", name: "Departure", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "departure_error", name: "Departure error", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "climatisation_state", name: "Climatisation", unit: nil, deviceClass: nil, quantity: .text),
        SkodaValueInfo(key: "climatisation_state_raw", name: "Climatisation (as sent)", unit: nil, deviceClass: nil,
                       quantity: .text),
        SkodaValueInfo(key: "climatisation_minutes_to_finish", name: "Climatisation time left", unit: "min",
                       deviceClass: "duration", quantity: .measured),
        SkodaValueInfo(key: "remaining_time_changed", name: "Charging time changed", unit: nil, deviceClass: "timestamp",
                       quantity: .text),
        SkodaValueInfo(key: "access_changed", name: "Access changed", unit: nil, deviceClass: "timestamp", quantity: .text),
        SkodaValueInfo(key: "lights_changed", name: "Lights changed", unit: nil, deviceClass: "timestamp", quantity: .text),
        SkodaValueInfo(key: "odometer_changed", name: "Odometer changed", unit: nil, deviceClass: "timestamp", quantity: .text),
        SkodaValueInfo(key: "awake_at", name: "Last awake", unit: nil, deviceClass: "timestamp", quantity: .text),
        SkodaValueInfo(key: "battery_warning_at", name: "Battery warning", unit: nil, deviceClass: "timestamp", quantity: .text),
    ]

    static func info(for key: String) -> SkodaValueInfo {
        all.first { $0.key == key } ?? SkodaValueInfo(key: key, name: key, unit: nil, deviceClass: nil, quantity: .text)
    }
}
