import JSON

/// One message of BMW's stream (topic `<gcid>/<VIN>`):
/// `{"vin", "entityId", "topic", "timestamp", "data": {key: {"value", "timestamp", "unit"?}}}`.
public struct CarDataMessage: Equatable {
    /// One value of `data`.
    public struct Reading: Equatable {
        public let key: String
        public let value: JSONValue
        public let timestamp: String?
        public let unit: String?
    }

    public let vin: String
    public let timestamp: String?
    public let readings: [Reading]
    /// Entries of `data` that were not `{"value": ...}` objects: skipped and counted.
    public let badReadings: Int

    /// Parses a stream message; the VIN comes from the payload, else from the topic's last level.
    public static func parse(topic: String, payload: [UInt8]) -> Result<CarDataMessage, CarDataError> {
        let json: JSONValue
        do throws(JSONError) { json = try JSONValue.parse(payload) } catch {
            return .failure(.malformed("not JSON (" + String(payload.count) + " bytes)"))
        }
        guard case .object = json else { return .failure(.malformed("not a JSON object")) }
        var vin = json["vin"]?.stringValue ?? ""
        if vin.isEmpty, let slash = topic.utf8.lastIndex(of: UInt8(ascii: "/")) {
            vin = String(topic[topic.utf8.index(after: slash)...])
        }
        guard isVIN(vin) else { return .failure(.malformed("no usable VIN")) }
        guard let data = json["data"]?.objectValue else { return .failure(.malformed("no data object")) }
        var readings: [Reading] = []
        var bad = 0
        for (key, entry) in data {
            guard isKey(key), case .object = entry, let value = entry["value"] else {
                bad += 1
                continue
            }
            switch value {
            case .object, .array: bad += 1; continue // not a value a sensor can show
            default: break
            }
            readings.append(Reading(key: key, value: value, timestamp: entry["timestamp"]?.stringValue,
                                    unit: entry["unit"]?.stringValue))
        }
        return .success(CarDataMessage(vin: vin, timestamp: json["timestamp"]?.stringValue, readings: readings,
                                       badReadings: bad))
    }

    /// A VIN fit for a topic level: 1 to 32 letters and digits.
    static func isVIN(_ text: String) -> Bool {
        let bytes = text.utf8
        return !bytes.isEmpty && bytes.count <= 32 && bytes.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122)
        }
    }

    /// A descriptor key fit for a topic level: 1 to 200 bytes, no wildcards, slashes or NULs.
    static func isKey(_ text: String) -> Bool {
        let bytes = text.utf8
        return !bytes.isEmpty && bytes.count <= 200 && bytes.allSatisfy {
            $0 > 32 && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "#") && $0 != UInt8(ascii: "/")
        }
    }
}

extension CarDataMessage.Reading {
    /// The value as a topic's payload: numbers and numeric strings as numbers, booleans as
    /// true/false, other strings as they are.
    public var payloadText: String {
        switch value {
        case .string(let text):
            if let number = CarDataMessage.Reading.number(text) { return number }
            return text
        case .null: return "null"
        default: return value.serialized()
        }
    }

    /// Whether the value reads as a number (for Home Assistant's unit and state class).
    public var isNumeric: Bool {
        switch value {
        case .number: return true
        case .string(let text): return CarDataMessage.Reading.number(text) != nil
        default: return false
        }
    }

    public var isBoolean: Bool {
        if case .bool = value { return true }
        return false
    }

    /// A string holding a JSON number ("9.498705"), re-serialized; nil otherwise.
    static func number(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 40 else { return nil }
        let value: JSONValue
        do throws(JSONError) { value = try JSONValue.parse(text) } catch { return nil }
        guard case .number = value else { return nil }
        return value.serialized()
    }

    /// The seed's readable line: `Status of rear left door: false (at 2025-09-17T12:18:19Z)`.
    public func displayLine(catalogue: CarDataCatalogue) -> String {
        var line = catalogue.name(key) + ": " + payloadText
        if let unit = unit ?? catalogue.unit(key), !unit.isEmpty { line += " " + unit }
        if let timestamp { line += " (at " + timestamp + ")" }
        return line
    }
}
