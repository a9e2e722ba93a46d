import JSON

/// One value for the IoT API: which device, what kind, when, and the backend's inner fields
/// (`heart_rate` {rate}, `battery_level` {level}, `blood_pressure` {sys, dias}, ...; see
/// `IoTDataModel`). Values are JSON numbers (or text for `alert`), as the original sends
/// what it stored.
public struct IoTSample: Equatable {
    public let iotDeviceID: String
    public let dataType: String
    /// Whole seconds since the epoch.
    public let timestamp: Int64
    public let fields: [(key: String, value: JSONValue)]

    public init(iotDeviceID: String, dataType: String, timestamp: Int64, fields: [(key: String, value: JSONValue)]) {
        self.iotDeviceID = iotDeviceID
        self.dataType = dataType
        self.timestamp = timestamp
        self.fields = fields
    }

    public static func == (lhs: IoTSample, rhs: IoTSample) -> Bool {
        lhs.iotDeviceID == rhs.iotDeviceID && lhs.dataType == rhs.dataType && lhs.timestamp == rhs.timestamp
            && lhs.fields.map { $0.key } == rhs.fields.map { $0.key } && lhs.fields.map { $0.value } == rhs.fields.map { $0.value }
    }
}
