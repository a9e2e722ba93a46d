/// One value for the IoT API: which device, what kind, when, and the seed's string fields
/// (`heart_rate` {rate}, `battery_level` {level}, `temperature` {temperature}, ...).
public struct IoTSample: Equatable {
    public let iotDeviceID: String
    public let dataType: String
    /// Seconds since the epoch (the seed sends them as a string).
    public let timestamp: Int64
    public let fields: [(key: String, value: String)]

    public init(iotDeviceID: String, dataType: String, timestamp: Int64, fields: [(key: String, value: String)]) {
        self.iotDeviceID = iotDeviceID
        self.dataType = dataType
        self.timestamp = timestamp
        self.fields = fields
    }

    public static func == (lhs: IoTSample, rhs: IoTSample) -> Bool {
        lhs.iotDeviceID == rhs.iotDeviceID && lhs.dataType == rhs.dataType && lhs.timestamp == rhs.timestamp
            && lhs.fields.map { $0.key } == rhs.fields.map { $0.key } && lhs.fields.map { $0.value } == rhs.fields.map { $0.value }
    }

    /// The seed's data type and field name for a measurement, nil for values the API does
    /// not take (counters, packet ids, acceleration).
    public static func dataType(for kind: MeasurementKind) -> (type: String, field: String)? {
        switch kind {
        case .heartRate: return ("heart_rate", "rate")
        case .battery: return ("battery_level", "level")
        case .temperature: return ("temperature", "temperature")
        case .humidity: return ("humidity", "humidity")
        case .pressure: return ("pressure", "pressure")
        case .voltage: return ("battery_voltage", "voltage")
        case .co2: return ("co2", "co2")
        case .illuminance: return ("illuminance", "illuminance")
        default: return nil
        }
    }
}
