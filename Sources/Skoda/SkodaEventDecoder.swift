import JSON

/// Turns a push message's JSON into an operation update or an event. Pure: no I/O, no
/// state, so the seed's examples test it value by value. Throws for malformed payloads (not
/// JSON, not an object, required fields missing or of the wrong type), which the service
/// counts and logs with the topic.
public enum SkodaEventDecoder {
    public enum Decoded {
        case operation(SkodaOperationUpdate)
        case event(SkodaEvent)
    }

    /// Why a payload was dropped, for the log line (never the payload itself).
    public struct Malformed: Error, Equatable {
        public let reason: String
    }

    public static func decode(topic: SkodaTopic, payload: [UInt8]) throws(Malformed) -> Decoded {
        let document: JSONValue
        do throws(JSONError) { document = try JSONValue.parse(payload) } catch {
            throw Malformed(reason: "not JSON: " + error.description)
        }
        guard document.objectValue != nil else { throw Malformed(reason: "not a JSON object") }
        if topic.kind == "operation-request" {
            return .operation(try operation(document, group: topic.restPath))
        }
        return .event(try event(document, topic: topic))
    }

    static func operation(_ document: JSONValue, group: String) throws(Malformed) -> SkodaOperationUpdate {
        guard let requestID = document["requestId"]?.stringValue, !requestID.isEmpty else {
            throw Malformed(reason: "operation without requestId")
        }
        guard let status = document["status"]?.stringValue, !status.isEmpty else {
            throw Malformed(reason: "operation without status")
        }
        let operation = document["operation"]?.stringValue ?? (group.split(separator: "/").last.map { String($0) } ?? "unknown")
        guard !operation.isEmpty, !operation.contains("/"), !operation.contains("+"), !operation.contains("#") else {
            throw Malformed(reason: "operation name is empty or not a topic level")
        }
        return SkodaOperationUpdate(requestID: requestID, operation: operation, status: status,
                                    errorCode: document["errorCode"]?.stringValue, group: group)
    }

    static func event(_ document: JSONValue, topic: SkodaTopic) throws(Malformed) -> SkodaEvent {
        // account-event/privacy and other topics may come without a name: named after the topic.
        let name = document["name"]?.stringValue ?? (topic.rest.last ?? topic.kind)
        // The name becomes a topic level (event/<name>, raw/<name>): it must be one.
        guard !name.isEmpty, !name.contains("/"), !name.contains("+"), !name.contains("#") else {
            throw Malformed(reason: "event name is empty or not a topic level")
        }
        if let dataValue = document["data"], dataValue.objectValue == nil {
            throw Malformed(reason: "data is a \(dataValue.typeName), not an object")
        }
        let data = document["data"]?.objectValue ?? JSONObject()
        let timestamp = document["timestamp"]?.stringValue
        var decoder = FieldReader(data: data)
        let values = try decoder.values(for: name, timestamp: timestamp)
        return SkodaEvent(name: name, timestamp: timestamp, traceID: document["traceId"]?.stringValue,
                          values: values ?? [], hasUnknownFields: decoder.hasUnknownFields, isKnown: values != nil)
    }
}

/// Reads `data` fields by name, remembering which it used, so the rest can be flagged.
/// The fields per event are the reference's table ("Data fields per event"); nothing else
/// is read, and a field that is absent gives no value (its topic is left as it was).
private struct FieldReader {
    let data: JSONObject
    private var used: [String] = ["userId", "vin"]
    // A state word no one knows: the message also goes out raw.
    private var unknownWord = false

    init(data: JSONObject) { self.data = data }

    var hasUnknownFields: Bool { unknownWord || data.keys.contains { !used.contains($0) } }

    typealias Values = [(key: String, value: JSONValue)]

    /// Our values for event `name`, nil for an event we do not decode.
    mutating func values(for name: String, timestamp: String?) throws(SkodaEventDecoder.Malformed) -> Values? {
        let stamp: JSONValue = timestamp.map { .string($0) } ?? .null
        switch name {
        case "change-soc", "change-charge-mode":
            return try chargingValues()
        case "charging-completed":
            return [("charging_event", .string(name))] + (try chargingValues())
        case "charging-status-changed":
            return [("charging_event", .string(name))]
        case "charging-error":
            return [("charging_event", .string(name))] + text("errorCode", as: "charging_error")
        case "change-remaining-time": return [("remaining_time_changed", stamp)]
        case "change-access": return [("access_changed", stamp)]
        case "change-lights": return [("lights_changed", stamp)]
        // Sent twice after the ignition goes off, without the mileage: a signal to re-read it.
        case "change-odometer": return [("odometer_changed", stamp)]
        case "vehicle-ignition-status-changed":
            used.append("ignitionStatus")
            guard let word = data["ignitionStatus"]?.stringValue else {
                throw SkodaEventDecoder.Malformed(reason: "ignition event without ignitionStatus")
            }
            return [("ignition", .string(word == "ON" ? "on" : word == "OFF" ? "off" : word))]
        case "vehicle-connection-online": return [("connection", "online")]
        case "vehicle-connection-offline": return [("connection", "offline")]
        case "vehicle-awake": return [("awake_at", stamp)]
        case "vehicle-warning-batterylevel": return [("battery_warning_at", stamp)]
        case "departure-ready", "departure-status-changed":
            return [("departure", .string(String(name.dropFirst("departure-".count))))]
        case "departure-error-plug":
            return [("departure", "error-plug")] + text("errorCode", as: "departure_error")
        case "climatisation-completed":
            return state("state", as: "climatisation_state", SkodaStateNames.climatisationState)
                + (try number("timeToFinish", as: "climatisation_minutes_to_finish"))
        default:
            return nil
        }
    }

    /// The change-soc set: change-soc, change-charge-mode and charging-completed carry it.
    private mutating func chargingValues() throws(SkodaEventDecoder.Malformed) -> Values {
        var values = try number("soc", as: "soc")
        values += try number("chargedRange", as: "range_km")
        values += try number("timeToFinish", as: "minutes_to_finish")
        values += state("state", as: "charging_state", SkodaStateNames.chargingState)
        values += state("mode", as: "charge_mode", SkodaStateNames.chargeMode)
        return values
    }

    /// A numeric field: Skoda sends numbers as strings ("74"); the string "null" is no value
    /// (published as such); anything else that is not a number is malformed.
    private mutating func number(_ field: String, as key: String) throws(SkodaEventDecoder.Malformed) -> Values {
        used.append(field)
        guard let value = data[field] else { return [] }
        switch value {
        case .null: return [(key, .null)]
        case .number: return [(key, value)]
        case .string(let text):
            if text == "null" || text.isEmpty { return [(key, .null)] }
            guard let integer = Int(text) else {
                throw SkodaEventDecoder.Malformed(reason: field + " is not a number")
            }
            return [(key, .int(integer))]
        default:
            throw SkodaEventDecoder.Malformed(reason: field + " is a \(value.typeName)")
        }
    }

    /// A text field as it came (an error code: STOPPED_DEVICE, CLIMA, ...).
    private mutating func text(_ field: String, as key: String) -> Values {
        used.append(field)
        guard let text = data[field]?.stringValue else { return [] }
        return [(key, .string(text))]
    }

    /// A state word: `<key>` the maintained client's name for it, `<key>_raw` as it came.
    private mutating func state(_ field: String, as key: String, _ normalise: (String) -> String?) -> Values {
        used.append(field)
        guard let raw = data[field]?.stringValue else { return [] }
        let name = normalise(raw)
        if name == nil { unknownWord = true }
        return [(key, name.map { .string($0) } ?? .null), (key + "_raw", .string(raw))]
    }
}
