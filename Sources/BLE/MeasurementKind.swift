/// What a sensor value is: its JSON key, unit and Home Assistant classes. One case per
/// quantity *and unit* (BTHome's mass in kg and in lb are two kinds), so a key always carries
/// one unit. Repeats of a kind in one advert get `_2`, `_3`, ... (see `SensorReading.keys`).
public enum MeasurementKind: UInt8, CaseIterable, Sendable {
    case packetID, battery, temperature, humidity, pressure, illuminance, energy, power, voltage
    case co2, moisture, rotation, timestamp, batteryLow, door, motion, window, button
    case accelerationX, accelerationY, accelerationZ, movementCounter, sequence, txPower
    case heartRate, rrInterval
    // Numeric quantities of BTHome v2 and the vendor families.
    case mass, massPounds, dewPoint, count, pm25, pm10, tvoc, distance, distanceMeters, duration
    case current, speed, uvIndex, volume, volumeMilliliters, volumeFlowRate, gas, water, acceleration
    case gyroscope, volumeStorage, conductivity, direction, precipitation, channel, rotationalSpeed
    case lightLevel, settingsRevision, formaldehyde, tankLevel, readingQuality, dimmerSteps, specificGravity
    // Binary sensors (0 / 1).
    case generic, powerOn, opening, batteryCharging, carbonMonoxide, cold, connectivity, garageDoor
    case gasDetected, heat, light, lock, moistureDetected, moving, occupancy, plug, presence, problem
    case running, safety, smoke, sound, tamper, vibration
    // Events and text: published as a string (`SensorMeasurement.textValue`).
    case dimmer, command, text, raw, deviceTypeID, firmwareVersion

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
        case .mass: return "mass"
        case .massPounds: return "mass_lb"
        case .dewPoint: return "dew_point"
        case .count: return "count"
        case .pm25: return "pm25"
        case .pm10: return "pm10"
        case .tvoc: return "tvoc"
        case .distance: return "distance"
        case .distanceMeters: return "distance_m"
        case .duration: return "duration"
        case .current: return "current"
        case .speed: return "speed"
        case .uvIndex: return "uv_index"
        case .volume: return "volume"
        case .volumeMilliliters: return "volume_ml"
        case .volumeFlowRate: return "volume_flow_rate"
        case .gas: return "gas"
        case .water: return "water"
        case .acceleration: return "acceleration"
        case .gyroscope: return "gyroscope"
        case .volumeStorage: return "volume_storage"
        case .conductivity: return "conductivity"
        case .direction: return "direction"
        case .precipitation: return "precipitation"
        case .channel: return "channel"
        case .rotationalSpeed: return "rotational_speed"
        case .lightLevel: return "light_level"
        case .settingsRevision: return "settings_revision"
        case .formaldehyde: return "formaldehyde"
        case .tankLevel: return "tank_level"
        case .readingQuality: return "reading_quality"
        case .dimmerSteps: return "dimmer_steps"
        case .specificGravity: return "specific_gravity"
        case .generic: return "generic"
        case .powerOn: return "power_on"
        case .opening: return "opening"
        case .batteryCharging: return "battery_charging"
        case .carbonMonoxide: return "carbon_monoxide"
        case .cold: return "cold"
        case .connectivity: return "connectivity"
        case .garageDoor: return "garage_door"
        case .gasDetected: return "gas_detected"
        case .heat: return "heat"
        case .light: return "light"
        case .lock: return "lock"
        case .moistureDetected: return "moisture_detected"
        case .moving: return "moving"
        case .occupancy: return "occupancy"
        case .plug: return "plug"
        case .presence: return "presence"
        case .problem: return "problem"
        case .running: return "running"
        case .safety: return "safety"
        case .smoke: return "smoke"
        case .sound: return "sound"
        case .tamper: return "tamper"
        case .vibration: return "vibration"
        case .dimmer: return "dimmer"
        case .command: return "command"
        case .text: return "text"
        case .raw: return "raw"
        case .deviceTypeID: return "device_type_id"
        case .firmwareVersion: return "firmware_version"
        }
    }

    /// Unit of measurement for Home Assistant, empty when there is none.
    public var unit: String {
        switch self {
        case .battery, .humidity, .moisture: return "%"
        case .temperature, .dewPoint: return "°C"
        case .pressure: return "hPa"
        case .illuminance: return "lx"
        case .energy: return "kWh"
        case .power: return "W"
        case .voltage: return "V"
        case .co2: return "ppm"
        case .rotation, .direction: return "°"
        case .accelerationX, .accelerationY, .accelerationZ: return "mG"
        case .txPower: return "dBm"
        case .heartRate: return "bpm"
        case .rrInterval, .duration: return "s"
        case .mass: return "kg"
        case .massPounds: return "lb"
        case .pm25, .pm10, .tvoc: return "µg/m³"
        case .distance, .precipitation: return "mm"
        case .distanceMeters: return "m"
        case .current: return "A"
        case .speed: return "m/s"
        case .volume, .water, .volumeStorage: return "L"
        case .volumeMilliliters: return "mL"
        case .volumeFlowRate: return "m³/h"
        case .gas: return "m³"
        case .acceleration: return "m/s²"
        case .gyroscope: return "°/s"
        case .conductivity: return "µS/cm"
        case .rotationalSpeed: return "rpm"
        case .formaldehyde: return "mg/m³"
        case .tankLevel: return "cm"
        default: return ""
        }
    }

    /// Home Assistant device class, empty when none fits.
    public var deviceClass: String {
        switch self {
        case .battery, .batteryLow: return "battery"
        case .temperature, .dewPoint: return "temperature"
        case .humidity: return "humidity"
        case .moisture, .moistureDetected: return "moisture"
        case .pressure: return "pressure"
        case .illuminance: return "illuminance"
        case .energy: return "energy"
        case .power: return "power"
        case .voltage: return "voltage"
        case .co2: return "carbon_dioxide"
        case .timestamp: return "timestamp"
        case .txPower: return "signal_strength"
        case .mass, .massPounds: return "weight"
        case .pm25: return "pm25"
        case .pm10: return "pm10"
        case .tvoc: return "volatile_organic_compounds"
        case .distance, .distanceMeters, .tankLevel, .precipitation: return "distance"
        case .duration: return "duration"
        case .current: return "current"
        case .speed: return "speed"
        case .volume, .volumeMilliliters: return "volume"
        case .volumeStorage: return "volume_storage"
        case .volumeFlowRate: return "volume_flow_rate"
        case .gas: return "gas"
        case .water: return "water"
        case .conductivity: return "conductivity"
        case .powerOn: return "power"
        case .batteryCharging: return "battery_charging"
        case .carbonMonoxide: return "carbon_monoxide"
        case .gasDetected: return "gas"
        case .door, .motion, .window, .opening, .cold, .connectivity, .garageDoor, .heat, .light, .lock,
             .moving, .occupancy, .plug, .presence, .problem, .running, .safety, .smoke, .sound, .tamper,
             .vibration:
            return key
        default: return ""
        }
    }

    /// Open/closed, on/off values: a `binary_sensor` in Home Assistant.
    public var isBinary: Bool {
        switch self {
        case .batteryLow, .door, .motion, .window, .generic, .powerOn, .opening, .batteryCharging,
             .carbonMonoxide, .cold, .connectivity, .garageDoor, .gasDetected, .heat, .light, .lock,
             .moistureDetected, .moving, .occupancy, .plug, .presence, .problem, .running, .safety, .smoke,
             .sound, .tamper, .vibration:
            return true
        default: return false
        }
    }

    /// Values published as a string rather than a number.
    public var isText: Bool {
        switch self {
        case .button, .dimmer, .command, .text, .raw, .firmwareVersion: return true
        default: return false
        }
    }

    /// Values worth a Home Assistant entity (counters, ids and events are not).
    public var isDiscoverable: Bool {
        switch self {
        case .packetID, .sequence, .movementCounter, .timestamp, .button, .rrInterval, .dimmer, .dimmerSteps,
             .command, .raw, .deviceTypeID, .firmwareVersion, .settingsRevision:
            return false
        default: return true
        }
    }

    /// Totals that only grow (meter readings): Home Assistant's `total_increasing`.
    public var isTotal: Bool {
        switch self {
        case .energy, .gas, .water: return true
        default: return false
        }
    }
}
