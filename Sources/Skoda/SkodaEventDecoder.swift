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
        return SkodaEvent(name: name, timestamp: timestamp, values: values ?? [],
                          hasUnknownFields: decoder.hasUnknownFields, isKnown: values != nil)
    }
}

/// Reads `data` fields by name, remembering which it used, so the rest can be flagged.
private struct FieldReader {
    let data: JSONObject
    private var used: [String] = ["userId", "vin"]

    init(data: JSONObject) { self.data = data }

    var hasUnknownFields: Bool { data.keys.contains { !used.contains($0) } }

    /// Our values for event `name`, nil for an event we do not decode.
    mutating func values(for name: String, timestamp: String?) throws(SkodaEventDecoder.Malformed)
        -> [(key: String, value: JSONValue)]?
    {
        let stamp: JSONValue = timestamp.map { .string($0) } ?? .null
        switch name {
        case "change-soc":
            return [("soc", try number("soc")), ("range_km", try number("chargedRange")),
                    ("minutes_to_finish", try number("timeToFinish")), ("charging_state", text("state")),
                    ("charge_mode", text("mode"))].filter { !$0.value.isNull || $0.key == "minutes_to_finish" }
        case "change-remaining-time":
            return [("minutes_to_finish", try number("timeToFinish"))]
        case "change-charge-mode":
            return [("charge_mode", text("chargeMode").isNull ? text("mode") : text("chargeMode"))]
        case "charging-status-changed", "charging-completed", "charging-error":
            var values: [(key: String, value: JSONValue)] = [("charging_event", .string(name))]
            let state = text("state")
            if !state.isNull { values.append(("charging_state", state)) }
            return values
        case "change-access": return [("access_changed", stamp)]
        case "change-lights": return [("lights_changed", stamp)]
        case "change-odometer":
            var values: [(key: String, value: JSONValue)] = [("odometer_changed", stamp)]
            for field in ["mileageInKm", "odometer", "mileage"] where data[field] != nil {
                values.append(("odometer_km", try number(field)))
                break
            }
            return values
        case "vehicle-ignition-status-changed":
            let status = text("ignitionStatus")
            guard let word = status.stringValue else {
                throw SkodaEventDecoder.Malformed(reason: "ignition event without ignitionStatus")
            }
            return [("ignition", .string(word == "ON" ? "on" : word == "OFF" ? "off" : word))]
        case "vehicle-connection-online": return [("connection", "online")]
        case "vehicle-connection-offline": return [("connection", "offline")]
        case "vehicle-awake": return [("awake_at", stamp)]
        case "vehicle-warning-batterylevel": return [("battery_warning_at", stamp)]
        case "departure-ready", "departure-status-changed", "departure-error-plug":
            return [("departure", .string(String(name.dropFirst("departure-".count))))]
        case "climatisation-completed":
            return [("climatisation", "completed")]
        default:
            return nil
        }
    }

    /// A numeric field: Skoda sends numbers as strings ("74"); the string "null" and a missing
    /// field are no value; anything else that is not a number is malformed.
    private mutating func number(_ field: String) throws(SkodaEventDecoder.Malformed) -> JSONValue {
        used.append(field)
        guard let value = data[field] else { return .null }
        switch value {
        case .null: return .null
        case .number: return value
        case .string(let text):
            if text == "null" || text.isEmpty { return .null }
            guard let integer = Int(text) else {
                throw SkodaEventDecoder.Malformed(reason: field + " is not a number")
            }
            return .int(integer)
        default:
            throw SkodaEventDecoder.Malformed(reason: field + " is a \(value.typeName)")
        }
    }

    private mutating func text(_ field: String) -> JSONValue {
        used.append(field)
        guard let text = data[field]?.stringValue else { return .null }
        return .string(text)
    }
}
