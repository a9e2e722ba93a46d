import JSON

/// The backend's data model: which dataType and inner key a value is sent under, and in
/// what unit. The original's types keep its names and keys (`battery_level` {level},
/// `heart_rate` {rate}, `temperature` {level}, `pressure` {level}, `humidity` {level},
/// `blood_pressure` {sys, dias}, `alert` {id}); their unit is the one of the GATT
/// characteristic the original reads them from, so a backend sees one unit per type whether
/// a value came from the original's devices or from our decoders:
/// temperature 0.01 °C (0x2A6E), pressure 0.1 Pa (0x2A6D), humidity 0.01 % (0x2A6F),
/// battery % (0x2A19), heart rate bpm, blood pressure mmHg. Values the original has no type
/// for get new dataType names (their published name) with key `level` in the unit of the
/// published reading.
public enum IoTDataModel {
    /// Where a quantity goes: dataType, inner key, and the factor from the published unit.
    public struct Mapping: Equatable, Sendable {
        public let dataType: String
        public let key: String
        public let factor: Double
    }

    /// The mapping of a published quantity name (`temperature`, `temperature_2`, ...: a
    /// repeated quantity's `_N` suffix is dropped); nil for values the backend gets nothing
    /// of (counters, packet ids, events, acceleration).
    public static func mapping(quantity name: String) -> Mapping? {
        switch baseName(name) {
        case "heart_rate": return Mapping(dataType: "heart_rate", key: "rate", factor: 1)
        case "battery": return Mapping(dataType: "battery_level", key: "level", factor: 1)
        case "temperature": return Mapping(dataType: "temperature", key: "level", factor: 100)
        case "humidity": return Mapping(dataType: "humidity", key: "level", factor: 100)
        // Published in hPa; 1 hPa = 1000 x 0.1 Pa.
        case "pressure": return Mapping(dataType: "pressure", key: "level", factor: 1000)
        case "voltage": return Mapping(dataType: "voltage", key: "level", factor: 1)
        case "co2": return Mapping(dataType: "co2", key: "level", factor: 1)
        case "illuminance": return Mapping(dataType: "illuminance", key: "level", factor: 1)
        case "moisture": return Mapping(dataType: "moisture", key: "level", factor: 1)
        case "energy": return Mapping(dataType: "energy", key: "level", factor: 1)
        case "power": return Mapping(dataType: "power", key: "level", factor: 1)
        case "rotation": return Mapping(dataType: "rotation", key: "level", factor: 1)
        default:
            // Every other measured quantity reaches the backend too, under its own published
            // name as a new dataType (`pm25` {level}, in the unit docs/ble-sensors.md gives);
            // what only describes the advert or the button, not the world, does not.
            let base = baseName(name)
            return notSent.contains(base) ? nil : Mapping(dataType: base, key: "level", factor: 1)
        }
    }

    /// Quantities the backend gets nothing of: packet and frame counters, events and text,
    /// device information, raw motion axes and RR intervals.
    static let notSent: Set<String> = [
        "packet_id", "sequence", "movement_counter", "timestamp", "tx_power", "acceleration_x",
        "acceleration_y", "acceleration_z", "rr_interval", "button", "dimmer", "dimmer_steps",
        "command", "text", "raw", "device_type_id", "firmware_version", "settings_revision",
        "channel", "reading_quality", "undecoded",
    ]

    /// `temperature_2` -> `temperature`; names without a numeric suffix stay as they are.
    static func baseName(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard let underscore = bytes.lastIndex(of: UInt8(ascii: "_")), underscore + 1 < bytes.count,
              bytes[(underscore + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return name }
        return String(decoding: bytes[..<underscore], as: UTF8.self)
    }

    /// The sample of one published value, nil when unmapped or not a finite number.
    public static func sample(quantity name: String, value: Double, iotDeviceID: String, timestamp: Int64) -> IoTSample? {
        guard let mapping = mapping(quantity: name), value.isFinite else { return nil }
        return IoTSample(iotDeviceID: iotDeviceID, dataType: mapping.dataType, timestamp: timestamp,
                         fields: [(mapping.key, number(value * mapping.factor))])
    }

    /// The `blood_pressure` {sys, dias} sample (mmHg), and `heart_rate` {rate} from the pulse.
    public static func samples(_ measurement: BloodPressureMeasurement, iotDeviceID: String, timestamp: Int64) -> [IoTSample] {
        var samples: [IoTSample] = []
        if let pressure = measurement.systolicAndDiastolic {
            samples.append(IoTSample(iotDeviceID: iotDeviceID, dataType: "blood_pressure", timestamp: timestamp,
                                     fields: [("sys", number(pressure.systolic)), ("dias", number(pressure.diastolic))]))
        }
        if let pulse = measurement.pulse {
            samples.append(IoTSample(iotDeviceID: iotDeviceID, dataType: "heart_rate", timestamp: timestamp,
                                     fields: [("rate", number(pulse))]))
        }
        return samples
    }

    /// A JSON number, rounded to 1e-6 so scaling (24.3 x 100) prints as 2430, not 2430.0000000000005.
    static func number(_ value: Double) -> JSONValue {
        guard abs(value) < 1e12 else { return .number(value) }
        return .number((value * 1_000_000).rounded() / 1_000_000)
    }
}
