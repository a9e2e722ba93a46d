/// One decoded value. Numbers are kept as the sensor's integer divided by its scale, so
/// 2500 x 0.01 prints as 25 rather than 25.000000000000004. Text values (BTHome text, raw
/// bytes as hex, firmware versions) carry `text`.
public struct SensorMeasurement: Equatable, Sendable {
    public let kind: MeasurementKind
    public let value: Double
    /// The value as text, for kinds published as a string that are no event code.
    public let text: String?

    public init(_ kind: MeasurementKind, _ value: Double) {
        self.kind = kind
        self.value = value
        text = nil
    }

    /// A text value (`kind.isText`).
    public init(_ kind: MeasurementKind, text: String) {
        self.kind = kind
        value = 0
        self.text = text
    }

    /// `raw / divisor`, the way every format here states its scale.
    public init(_ kind: MeasurementKind, raw: Int64, divisor: Double) {
        self.init(kind, Double(raw) / divisor)
    }

    /// An event's name (BTHome button 0x3A, dimmer 0x3C, command 0x3B), nil for other values.
    /// A value that is no event code (a fraction, NaN, infinity: `Int(_:)` would trap on
    /// those) is "unknown".
    public var eventName: String? {
        switch kind {
        case .button, .dimmer, .command: break
        default: return nil
        }
        guard let code = Int(exactly: value) else { return "unknown" }
        switch (kind, code) {
        case (.button, 0), (.dimmer, 0): return "none"
        case (.button, 1): return "press"
        case (.button, 2): return "double_press"
        case (.button, 3): return "triple_press"
        case (.button, 4): return "long_press"
        case (.button, 5): return "long_double_press"
        case (.button, 6): return "long_triple_press"
        case (.button, 0x80): return "hold_press"
        case (.button, 0x81): return "hold_release"
        case (.dimmer, 1): return "rotate_left"
        case (.dimmer, 2): return "rotate_right"
        case (.command, 0): return "off"
        case (.command, 1): return "on"
        case (.command, 2): return "toggle"
        case (.command, 3): return "step_up"
        case (.command, 4): return "step_down"
        default: return "unknown"
        }
    }

    /// What the JSON shows as a string: the text, else the event name; nil for a number.
    public var textValue: String? { text ?? eventName }
}

/// Which decoder understood an advert.
public enum SensorFormat: UInt8, Sendable {
    case bthome, bthomeEncrypted, atc1441, pvvx, ruuvi5, heartRateGATT
    case bthomeV1, bthomeV1Encrypted, miBeacon, miBeaconEncrypted, qingping, govee, inkbird, switchBot
    case ruuvi3, bParasite, mopeka, aranet, thermoPro, thermoBeacon, tilt
    case pvvxEncrypted, atc1441Encrypted

    /// The name in JSON and listings.
    public var name: String {
        switch self {
        case .bthome: return "bthome_v2"
        case .bthomeEncrypted: return "bthome_v2_encrypted"
        case .atc1441: return "atc1441"
        case .pvvx: return "pvvx"
        case .ruuvi5: return "ruuvi_v5"
        case .heartRateGATT: return "gatt"
        case .bthomeV1: return "bthome_v1"
        case .bthomeV1Encrypted: return "bthome_v1_encrypted"
        case .miBeacon: return "mibeacon"
        case .miBeaconEncrypted: return "mibeacon_encrypted"
        case .qingping: return "qingping"
        case .govee: return "govee"
        case .inkbird: return "inkbird"
        case .switchBot: return "switchbot"
        case .ruuvi3: return "ruuvi_v3"
        case .bParasite: return "b_parasite"
        case .mopeka: return "mopeka"
        case .aranet: return "aranet4"
        case .thermoPro: return "thermopro"
        case .thermoBeacon: return "thermobeacon"
        case .tilt: return "tilt"
        case .pvvxEncrypted: return "pvvx_encrypted"
        case .atc1441Encrypted: return "atc1441_encrypted"
        }
    }
}

/// A decoded advert: its format and values, in advert order.
public struct SensorReading: Equatable, Sendable {
    public var format: SensorFormat
    public var measurements: [SensorMeasurement]
    /// Bytes after an object the decoder does not know (BTHome), kept to publish as hex.
    public var undecoded: [UInt8]?

    public init(format: SensorFormat, measurements: [SensorMeasurement], undecoded: [UInt8]? = nil) {
        self.format = format
        self.measurements = measurements
        self.undecoded = undecoded
    }

    /// The first value of `kind`, if any.
    public func value(_ kind: MeasurementKind) -> Double? {
        measurements.first { $0.kind == kind }?.value
    }

    /// Each measurement's occurrence of its kind, from 1, in advert order.
    public var occurrences: [Int] {
        var seen = [Int](repeating: 0, count: MeasurementKind.allCases.count)
        var out: [Int] = []
        out.reserveCapacity(measurements.count)
        for measurement in measurements {
            let index = Int(measurement.kind.rawValue)
            seen[index] += 1
            out.append(seen[index])
        }
        return out
    }

    /// The published key of each measurement: the kind's key for its first occurrence,
    /// `key_2`, `key_3`, ... for later ones (the naming scheme of docs/ble-sensors.md).
    public var keys: [String] {
        let counts = occurrences
        var out: [String] = []
        out.reserveCapacity(measurements.count)
        for (index, measurement) in measurements.enumerated() {
            out.append(SensorReading.key(measurement.kind, occurrence: counts[index]))
        }
        return out
    }

    /// `kind`'s key for its `occurrence`-th value.
    public static func key(_ kind: MeasurementKind, occurrence: Int) -> String {
        occurrence <= 1 ? kind.key : kind.key + "_" + String(occurrence)
    }

    /// The value published under `key`, if the reading has one.
    public func value(forKey key: String) -> SensorMeasurement? {
        let names = keys
        for (index, name) in names.enumerated() where name == key { return measurements[index] }
        return nil
    }
}
