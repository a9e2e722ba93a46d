import JSON

/// One value a person installed the gateway to see (a temperature, a state of charge, a
/// frame rate), with its name and unit; what the dashboard shows large, before any counter.
public struct Reading {
    /// The value: a number with its unit, or a word (a bus state, "charging").
    public enum Value {
        case number(Double, unit: String)
        case text(String)
    }

    /// Stable within its group (`temperature`, `rx_rate`): the dashboard's element and trend key.
    public let key: String
    /// For people: "Temperature", "Frames/s received".
    public let name: String
    public let value: Value
    /// Whether the gateway keeps its recent history for a sparkline (numbers only).
    public let trend: Bool

    public init(_ key: String, _ name: String, _ value: Value, trend: Bool = false) {
        self.key = key
        self.name = name
        self.value = value
        if case .number = value { self.trend = trend } else { self.trend = false }
    }

    /// A number with its unit.
    public static func number(_ key: String, _ name: String, _ value: Double, unit: String, trend: Bool = false) -> Reading {
        Reading(key, name, .number(value, unit: unit), trend: trend)
    }

    /// A word.
    public static func text(_ key: String, _ name: String, _ text: String) -> Reading {
        Reading(key, name, .text(text))
    }

    /// `{"key":..,"name":..,"value":..,"unit":..,"trend":true}`.
    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 5)
        object.append("key", .string(key))
        object.append("name", .string(name))
        switch value {
        case .number(let number, let unit):
            object.append("value", number.isFinite ? .number(number) : .null)
            if !unit.isEmpty { object.append("unit", .string(unit)) }
        case .text(let text):
            object.append("value", .string(text))
        }
        if trend { object.append("trend", .bool(true)) }
        return .object(object)
    }
}

/// The readings of one thing a service watches (a BLE sensor, a car, a Benchlab, a CAN bus):
/// a title, small badges (approved, paired, charging) and its values.
public struct ReadingGroup {
    /// Stable within the service (a MAC, a VIN, a port): the dashboard's element and trend key.
    public let id: String
    /// For people: the device's name, else its address.
    public let title: String
    /// Short words shown beside the title.
    public let badges: [String]
    public let readings: [Reading]

    public init(id: String, title: String, badges: [String] = [], readings: [Reading]) {
        self.id = id
        self.title = title
        self.badges = badges
        self.readings = readings
    }

    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 4)
        object.append("id", .string(id))
        object.append("title", .string(title))
        if !badges.isEmpty { object.append("badges", .array(badges.map { .string($0) })) }
        object.append("values", .array(readings.map { $0.json }))
        return .object(object)
    }
}
