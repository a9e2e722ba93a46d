import JSON

/// The backend's submission body (`POST {app}/api/iot-devices/data/submit`): samples grouped
/// per device and data type, in first-seen order, timestamps and values as numbers:
/// `{"data":[{"iotDeviceId","dataType","data":[{"timestamp":<epoch s>,"data":{...}}]}]}`.
public enum IoTPayload {
    public static func json(_ samples: [IoTSample]) -> JSONValue {
        var groups: [(id: String, type: String, entries: [JSONValue])] = []
        for sample in samples {
            var fields = JSONObject(minimumCapacity: sample.fields.count)
            for field in sample.fields { fields.append(field.key, field.value) }
            var entry = JSONObject(minimumCapacity: 2)
            entry.append("timestamp", .int(sample.timestamp))
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
}
