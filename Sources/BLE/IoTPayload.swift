import JSON

/// The seed's IoT submission body: samples grouped per device and data type, in first-seen
/// order, every value a string:
/// `{"data":[{"iotDeviceId","dataType","data":[{"timestamp":"<epoch s>","data":{...}}]}]}`.
public enum IoTPayload {
    public static func json(_ samples: [IoTSample]) -> JSONValue {
        var groups: [(id: String, type: String, entries: [JSONValue])] = []
        for sample in samples {
            var fields = JSONObject(minimumCapacity: sample.fields.count)
            for field in sample.fields { fields.append(field.key, .string(field.value)) }
            var entry = JSONObject(minimumCapacity: 2)
            entry.append("timestamp", .string(String(sample.timestamp)))
            entry.append("data", .object(fields))
            if let index = groups.firstIndex(where: { $0.id == sample.iotDeviceID && $0.type == sample.dataType }) {
                groups[index].entries.append(.object(entry))
            } else {
                groups.append((sample.iotDeviceID, sample.dataType, [.object(entry)]))
            }
        }
        var data: [JSONValue] = []
        data.reserveCapacity(groups.count)
        for group in groups {
            var object = JSONObject(minimumCapacity: 3)
            object.append("iotDeviceId", .string(group.id))
            object.append("dataType", .string(group.type))
            object.append("data", .array(group.entries))
            data.append(.object(object))
        }
        return ["data": .array(data)]
    }

    /// A measurement value as the seed's string: integers without a fraction (`67`), others
    /// in their shortest exact form (`50.55`); NaN and infinity as JSON prints them (`null`).
    public static func text(_ value: Double) -> String {
        // Checked conversion: NaN, infinity and magnitudes past Int64 give nil instead of a trap.
        if abs(value) < 1e15, let whole = Int64(exactly: value) { return String(whole) }
        return JSONValue.number(value).serialized()
    }
}
