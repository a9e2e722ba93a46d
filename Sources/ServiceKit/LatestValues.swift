import JSON

/// The last value of each key per thing a service hears about (a car by its VIN), for its
/// readings. Bounded: at most `maxThings` things of at most `maxKeys` keys each; what does not
/// fit is not kept and is counted in `dropped` (a car has a few dozen keys, a home few cars).
public struct LatestValues {
    /// One thing's values, in the order their keys first came, and when it was last heard.
    public struct Entry {
        public let id: String
        /// With the unit the message gave, if it gave one.
        public private(set) var values: [(key: String, value: JSONValue, unit: String?)] = []
        /// Wall-clock seconds of the last update.
        public private(set) var updated: Int64 = 0

        /// The value of `key`, if it came.
        public func value(_ key: String) -> JSONValue? { values.first { $0.key == key }?.value }

        mutating func set(_ key: String, _ value: JSONValue, unit: String?) -> Bool {
            if let index = values.firstIndex(where: { $0.key == key }) {
                values[index].value = value
                values[index].unit = unit
                return true
            }
            guard values.count < LatestValues.maxKeys else { return false }
            values.append((key, value, unit))
            return true
        }

        mutating func touch(_ seconds: Int64) { updated = seconds }
    }

    public static let maxThings = 8
    public static let maxKeys = 128

    public private(set) var entries: [Entry] = []
    /// Values not kept because their thing or key was beyond the bounds.
    public private(set) var dropped = 0

    public init() {}

    /// Keeps `values` as the latest of thing `id`, heard at `seconds` (wall clock).
    public mutating func record(_ values: [(key: String, value: JSONValue)], for id: String, at seconds: Int64) {
        record(values.map { ($0.key, $0.value, nil) }, for: id, at: seconds)
    }

    /// The same, each value with the unit its message gave (nil when none).
    public mutating func record(_ values: [(key: String, value: JSONValue, unit: String?)], for id: String, at seconds: Int64) {
        var index = entries.firstIndex { $0.id == id }
        if index == nil {
            guard entries.count < LatestValues.maxThings else {
                dropped += values.count
                return
            }
            entries.append(Entry(id: id))
            index = entries.count - 1
        }
        for (key, value, unit) in values where !entries[index!].set(key, value, unit: unit) { dropped += 1 }
        entries[index!].touch(seconds)
    }
}

extension Reading {
    /// A reading from a JSON value as a service received it: numbers with `unit`, booleans
    /// as yes/no, text as it came; nil for objects, arrays and null.
    public static func from(_ key: String, _ name: String, _ value: JSONValue, unit: String?, trend: Bool = false) -> Reading? {
        switch value {
        case .number(let number): return .number(key, name, number, unit: unit ?? "", trend: trend)
        case .bool(let flag): return .text(key, name, flag ? "yes" : "no")
        case .string(let text): return .text(key, name, text)
        default: return nil
        }
    }
}
