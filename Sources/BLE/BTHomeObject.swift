/// The BTHome v2 object ids (bthome.io "Data format"): each id's quantity, value size,
/// encoding and scale. An id's size comes from this table alone, which is why decoding
/// must stop at an id it does not list.
struct BTHomeObject {
    /// How the value bytes read.
    enum Encoding: UInt8 {
        /// Little-endian integer of `size` bytes, divided by `divisor`.
        case unsigned, signed
        /// Signed, times 0.35 (0x58, temperature in 0.35 degC steps).
        case signedTimes035
        /// A length byte, then that many bytes: UTF-8 text (0x53) or raw bytes shown as hex (0x54).
        case text, raw
        /// A length byte (low 5 bits: argument count), an opcode and its arguments (0x3B).
        case command
        /// Event code, then steps (0x3C).
        case dimmer
        /// Firmware version, least significant part first: 4 bytes (0xF1) or 3 (0xF2).
        case firmware
    }

    let kind: MeasurementKind
    /// Value bytes (after the id); for length-prefixed encodings, 0.
    let size: UInt8
    let encoding: Encoding
    let divisor: Double

    init(_ kind: MeasurementKind, _ size: UInt8, _ encoding: Encoding = .unsigned, _ divisor: Double = 1) {
        self.kind = kind
        self.size = size
        self.encoding = encoding
        self.divisor = divisor
    }

    /// The object `id` stands for; nil for an id the spec does not define.
    static func lookup(_ id: UInt8) -> BTHomeObject? {
        switch id {
        case 0x00: return BTHomeObject(.packetID, 1)
        case 0x01: return BTHomeObject(.battery, 1)
        case 0x02: return BTHomeObject(.temperature, 2, .signed, 100)
        case 0x03: return BTHomeObject(.humidity, 2, .unsigned, 100)
        case 0x04: return BTHomeObject(.pressure, 3, .unsigned, 100)
        case 0x05: return BTHomeObject(.illuminance, 3, .unsigned, 100)
        case 0x06: return BTHomeObject(.mass, 2, .unsigned, 100)
        case 0x07: return BTHomeObject(.massPounds, 2, .unsigned, 100)
        case 0x08: return BTHomeObject(.dewPoint, 2, .signed, 100)
        case 0x09: return BTHomeObject(.count, 1)
        case 0x0A: return BTHomeObject(.energy, 3, .unsigned, 1000)
        case 0x0B: return BTHomeObject(.power, 3, .unsigned, 100)
        case 0x0C: return BTHomeObject(.voltage, 2, .unsigned, 1000)
        case 0x0D: return BTHomeObject(.pm25, 2)
        case 0x0E: return BTHomeObject(.pm10, 2)
        case 0x0F: return BTHomeObject(.generic, 1)
        case 0x10: return BTHomeObject(.powerOn, 1)
        case 0x11: return BTHomeObject(.opening, 1)
        case 0x12: return BTHomeObject(.co2, 2)
        case 0x13: return BTHomeObject(.tvoc, 2)
        case 0x14: return BTHomeObject(.moisture, 2, .unsigned, 100)
        case 0x15: return BTHomeObject(.batteryLow, 1)
        case 0x16: return BTHomeObject(.batteryCharging, 1)
        case 0x17: return BTHomeObject(.carbonMonoxide, 1)
        case 0x18: return BTHomeObject(.cold, 1)
        case 0x19: return BTHomeObject(.connectivity, 1)
        case 0x1A: return BTHomeObject(.door, 1)
        case 0x1B: return BTHomeObject(.garageDoor, 1)
        case 0x1C: return BTHomeObject(.gasDetected, 1)
        case 0x1D: return BTHomeObject(.heat, 1)
        case 0x1E: return BTHomeObject(.light, 1)
        case 0x1F: return BTHomeObject(.lock, 1)
        case 0x20: return BTHomeObject(.moistureDetected, 1)
        case 0x21: return BTHomeObject(.motion, 1)
        case 0x22: return BTHomeObject(.moving, 1)
        case 0x23: return BTHomeObject(.occupancy, 1)
        case 0x24: return BTHomeObject(.plug, 1)
        case 0x25: return BTHomeObject(.presence, 1)
        case 0x26: return BTHomeObject(.problem, 1)
        case 0x27: return BTHomeObject(.running, 1)
        case 0x28: return BTHomeObject(.safety, 1)
        case 0x29: return BTHomeObject(.smoke, 1)
        case 0x2A: return BTHomeObject(.sound, 1)
        case 0x2B: return BTHomeObject(.tamper, 1)
        case 0x2C: return BTHomeObject(.vibration, 1)
        case 0x2D: return BTHomeObject(.window, 1)
        case 0x2E: return BTHomeObject(.humidity, 1)
        case 0x2F: return BTHomeObject(.moisture, 1)
        case 0x3A: return BTHomeObject(.button, 1)
        case 0x3B: return BTHomeObject(.command, 0, .command)
        case 0x3C: return BTHomeObject(.dimmer, 2, .dimmer)
        case 0x3D: return BTHomeObject(.count, 2)
        case 0x3E: return BTHomeObject(.count, 4)
        case 0x3F: return BTHomeObject(.rotation, 2, .signed, 10)
        case 0x40: return BTHomeObject(.distance, 2)
        case 0x41: return BTHomeObject(.distanceMeters, 2, .unsigned, 10)
        case 0x42: return BTHomeObject(.duration, 3, .unsigned, 1000)
        case 0x43: return BTHomeObject(.current, 2, .unsigned, 1000)
        case 0x44: return BTHomeObject(.speed, 2, .unsigned, 100)
        case 0x45: return BTHomeObject(.temperature, 2, .signed, 10)
        case 0x46: return BTHomeObject(.uvIndex, 1, .unsigned, 10)
        case 0x47: return BTHomeObject(.volume, 2, .unsigned, 10)
        case 0x48: return BTHomeObject(.volumeMilliliters, 2)
        case 0x49: return BTHomeObject(.volumeFlowRate, 2, .unsigned, 1000)
        case 0x4A: return BTHomeObject(.voltage, 2, .unsigned, 10)
        case 0x4B: return BTHomeObject(.gas, 3, .unsigned, 1000)
        case 0x4C: return BTHomeObject(.gas, 4, .unsigned, 1000)
        case 0x4D: return BTHomeObject(.energy, 4, .unsigned, 1000)
        case 0x4E: return BTHomeObject(.volume, 4, .unsigned, 1000)
        case 0x4F: return BTHomeObject(.water, 4, .unsigned, 1000)
        case 0x50: return BTHomeObject(.timestamp, 4)
        case 0x51: return BTHomeObject(.acceleration, 2, .unsigned, 1000)
        case 0x52: return BTHomeObject(.gyroscope, 2, .unsigned, 1000)
        case 0x53: return BTHomeObject(.text, 0, .text)
        case 0x54: return BTHomeObject(.raw, 0, .raw)
        case 0x55: return BTHomeObject(.volumeStorage, 4, .unsigned, 1000)
        case 0x56: return BTHomeObject(.conductivity, 2)
        case 0x57: return BTHomeObject(.temperature, 1, .signed)
        case 0x58: return BTHomeObject(.temperature, 1, .signedTimes035)
        case 0x59: return BTHomeObject(.count, 1, .signed)
        case 0x5A: return BTHomeObject(.count, 2, .signed)
        case 0x5B: return BTHomeObject(.count, 4, .signed)
        case 0x5C: return BTHomeObject(.power, 4, .signed, 100)
        case 0x5D: return BTHomeObject(.current, 2, .signed, 1000)
        case 0x5E: return BTHomeObject(.direction, 2, .unsigned, 100)
        case 0x5F: return BTHomeObject(.precipitation, 2, .unsigned, 10)
        case 0x60: return BTHomeObject(.channel, 1)
        case 0x61: return BTHomeObject(.rotationalSpeed, 2)
        case 0x62: return BTHomeObject(.speed, 4, .signed, 1_000_000)
        case 0x63: return BTHomeObject(.acceleration, 4, .signed, 1_000_000)
        case 0x64: return BTHomeObject(.lightLevel, 1)
        case 0x65: return BTHomeObject(.settingsRevision, 1)
        case 0xF0: return BTHomeObject(.deviceTypeID, 2)
        case 0xF1: return BTHomeObject(.firmwareVersion, 4, .firmware)
        case 0xF2: return BTHomeObject(.firmwareVersion, 3, .firmware)
        default: return nil
        }
    }
}
