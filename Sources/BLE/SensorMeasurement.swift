/// What a sensor value is: its JSON key, unit and Home Assistant device class.
public enum MeasurementKind: UInt8, CaseIterable, Sendable {
    case packetID, battery, temperature, humidity, pressure, illuminance, energy, power, voltage
    case co2, moisture, rotation, timestamp, batteryLow, door, motion, window, button
    case accelerationX, accelerationY, accelerationZ, movementCounter, sequence, txPower
    case heartRate, rrInterval

    /// The key in the published JSON (and the Home Assistant object id suffix).
    public var key: String {
        switch self {
        case .packetID: return "packet_id"
        case .battery: return "battery"
        case .temperature: return "temperature"
        case .humidity: return "humidity"
        case .pressure: return "pressure"
        case .illuminance: return "illuminance"
        case .energy: return "energy"
        case .power: return "power"
        case .voltage: return "voltage"
        case .co2: return "co2"
        case .moisture: return "moisture"
        case .rotation: return "rotation"
        case .timestamp: return "timestamp"
        case .batteryLow: return "battery_low"
        case .door: return "door"
        case .motion: return "motion"
        case .window: return "window"
        case .button: return "button"
        case .accelerationX: return "acceleration_x"
        case .accelerationY: return "acceleration_y"
        case .accelerationZ: return "acceleration_z"
        case .movementCounter: return "movement_counter"
        case .sequence: return "sequence"
        case .txPower: return "tx_power"
        case .heartRate: return "heart_rate"
        case .rrInterval: return "rr_interval"
        }
    }

    /// Unit of measurement for Home Assistant, empty when there is none.
    public var unit: String {
        switch self {
        case .battery, .humidity, .moisture: return "%"
        case .temperature: return "°C"
        case .pressure: return "hPa"
        case .illuminance: return "lx"
        case .energy: return "kWh"
        case .power: return "W"
        case .voltage: return "V"
        case .co2: return "ppm"
        case .rotation: return "°"
        case .accelerationX, .accelerationY, .accelerationZ: return "mG"
        case .txPower: return "dBm"
        case .heartRate: return "bpm"
        case .rrInterval: return "s"
        default: return ""
        }
    }

    /// Home Assistant device class, empty when none fits.
    public var deviceClass: String {
        switch self {
        case .battery: return "battery"
        case .temperature: return "temperature"
        case .humidity: return "humidity"
        case .moisture: return "moisture"
        case .pressure: return "pressure"
        case .illuminance: return "illuminance"
        case .energy: return "energy"
        case .power: return "power"
        case .voltage: return "voltage"
        case .co2: return "carbon_dioxide"
        case .timestamp: return "timestamp"
        case .batteryLow: return "battery"
        case .door: return "door"
        case .motion: return "motion"
        case .window: return "window"
        case .txPower: return "signal_strength"
        default: return ""
        }
    }

    /// Open/closed, on/off values: a `binary_sensor` in Home Assistant.
    public var isBinary: Bool {
        switch self {
        case .batteryLow, .door, .motion, .window: return true
        default: return false
        }
    }

    /// Values worth a Home Assistant entity (counters and packet ids are not).
    public var isDiscoverable: Bool {
        switch self {
        case .packetID, .sequence, .movementCounter, .timestamp, .button, .rrInterval: return false
        default: return true
        }
    }
}

/// One decoded value. Numbers are kept as the sensor's integer divided by its scale, so
/// 2500 x 0.01 prints as 25 rather than 25.000000000000004.
public struct SensorMeasurement: Equatable, Sendable {
    public let kind: MeasurementKind
    public let value: Double

    public init(_ kind: MeasurementKind, _ value: Double) {
        self.kind = kind
        self.value = value
    }

    /// `raw / divisor`, the way every format here states its scale.
    public init(_ kind: MeasurementKind, raw: Int64, divisor: Double) {
        self.init(kind, Double(raw) / divisor)
    }

    /// A button event's name (BTHome 0x3A), nil for other values. A value that is no event
    /// code (a fraction, NaN, infinity: `Int(_:)` would trap on those) is "unknown".
    public var eventName: String? {
        guard kind == .button else { return nil }
        guard let code = Int(exactly: value) else { return "unknown" }
        switch code {
        case 0: return "none"
        case 1: return "press"
        case 2: return "double_press"
        case 3: return "triple_press"
        case 4: return "long_press"
        case 5: return "long_double_press"
        case 6: return "long_triple_press"
        case 0x80: return "hold_press"
        default: return "unknown"
        }
    }
}

/// Which decoder understood an advert.
public enum SensorFormat: UInt8, Sendable {
    case bthome, bthomeEncrypted, atc1441, pvvx, ruuvi5, heartRateGATT

    /// The name in JSON and listings.
    public var name: String {
        switch self {
        case .bthome: return "bthome_v2"
        case .bthomeEncrypted: return "bthome_v2_encrypted"
        case .atc1441: return "atc1441"
        case .pvvx: return "pvvx"
        case .ruuvi5: return "ruuvi_v5"
        case .heartRateGATT: return "gatt"
        }
    }
}

/// A decoded advert: its format and values.
public struct SensorReading: Equatable, Sendable {
    public var format: SensorFormat
    public var measurements: [SensorMeasurement]

    public init(format: SensorFormat, measurements: [SensorMeasurement]) {
        self.format = format
        self.measurements = measurements
    }

    /// The first value of `kind`, if any.
    public func value(_ kind: MeasurementKind) -> Double? {
        measurements.first { $0.kind == kind }?.value
    }
}
