/// One value's place in a vendor layout, as data: where it is, how it reads, how it scales,
/// which raw value marks it invalid. `SensorFamily` and the TLV decoders (Qingping,
/// MiBeacon) describe every format with these; `read(_:)` is the one interpreter.
struct SensorField {
    /// How the bytes at `offset` read.
    enum Read: UInt8 {
        case u8, s8, u16le, s16le, u16be, s16be, u24le, u24be, u32le, u32be, f32le

        var size: Int {
            switch self {
            case .u8, .s8: return 1
            case .u16le, .s16le, .u16be, .s16be: return 2
            case .u24le, .u24be: return 3
            case .u32le, .u32be, .f32le: return 4
            }
        }
    }

    /// What turns the (shifted, masked) raw value into the quantity, beyond `(raw + bias) / divisor`.
    enum Transform {
        case linear
        /// Govee's packed decimal: bit `signBit` set means negative; the rest is
        /// `temperature x 10 x split + humidity x 10 x split / 1000`. Temperature:
        /// `floor(v / split) / 10`; humidity: `floor((v % split) / (split / 1000)) / 10`.
        case goveeTemperature(split: UInt32, signBit: UInt32)
        case goveeHumidity(split: UInt32, signBit: UInt32)
        /// `(v & ~signBit) % modulus` (Govee H5106's PM2.5 in the low digits).
        case modulo(UInt32, signBit: UInt32)
        /// Whole degrees in the low 7 bits (bit 7 the sign), a fraction in another byte:
        /// SwitchBot (bit 7 set = positive, tenths in a nibble), Ruuvi 3 (set = negative, hundredths).
        case signMagnitude(fractionOffset: UInt8, fractionMask: UInt8, fractionDivisor: Double, negativeWhenSet: Bool)
        /// Mopeka: battery % from `raw / 32` volts, `(V - 2.2) / 0.65 x 100`, clamped to 0...100.
        case mopekaBattery
        /// Mopeka: tank level in cm from the echo time (14 bits) and the temperature byte at
        /// `temperatureOffset` (`t = byte & 0x7F`): `raw x (0.573045 - 0.002822 t - 0.00000535 t²) / 10`.
        case mopekaLevel(temperatureOffset: UInt8)
    }

    let kind: MeasurementKind
    let offset: UInt8
    let read: Read
    var shift: UInt8 = 0
    var mask: UInt32 = 0xFFFF_FFFF
    /// The raw value (after shift and mask) that means "no reading".
    var invalid: UInt32?
    /// A second invalid marker, or with `invalidMask`, a pattern: `raw & invalidMask == invalid`.
    var invalidMask: UInt32 = 0xFFFF_FFFF
    var bias: Double = 0
    var divisor: Double = 1
    var transform: Transform = .linear
    /// Only read when the byte at this offset, masked, equals the value (a presence flag).
    var when: (offset: UInt8, mask: UInt8, value: UInt8)?

    init(_ kind: MeasurementKind, _ offset: UInt8, _ read: Read, divisor: Double = 1, bias: Double = 0,
         shift: UInt8 = 0, mask: UInt32 = 0xFFFF_FFFF, invalid: UInt32? = nil, invalidMask: UInt32 = 0xFFFF_FFFF,
         transform: Transform = .linear, when: (offset: UInt8, mask: UInt8, value: UInt8)? = nil) {
        self.kind = kind
        self.offset = offset
        self.read = read
        self.divisor = divisor
        self.bias = bias
        self.shift = shift
        self.mask = mask
        self.invalid = invalid
        self.invalidMask = invalidMask
        self.transform = transform
        self.when = when
    }

    /// A flag: bit `bit` of the byte at `offset`, 0 or 1.
    static func bit(_ kind: MeasurementKind, _ offset: UInt8, _ bit: UInt8) -> SensorField {
        SensorField(kind, offset, .u8, shift: bit, mask: 1)
    }

    /// The measurement this field gives in `bytes`, nil when it lies past the end, its
    /// condition does not hold, or it carries the invalid marker.
    func read(_ bytes: FieldBytes) -> SensorMeasurement? {
        let start = Int(offset)
        guard start + read.size <= bytes.count else { return nil }
        if let when {
            guard Int(when.offset) < bytes.count, bytes[Int(when.offset)] & when.mask == when.value else { return nil }
        }
        var raw: UInt32 = 0
        switch read {
        case .u8, .s8: raw = UInt32(bytes[start])
        case .u16le, .s16le: raw = UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8
        case .u16be, .s16be: raw = UInt32(bytes[start]) << 8 | UInt32(bytes[start + 1])
        case .u24le: raw = UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16
        case .u24be: raw = UInt32(bytes[start]) << 16 | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2])
        case .u32le, .f32le:
            raw = UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16
                | UInt32(bytes[start + 3]) << 24
        case .u32be:
            raw = UInt32(bytes[start]) << 24 | UInt32(bytes[start + 1]) << 16 | UInt32(bytes[start + 2]) << 8
                | UInt32(bytes[start + 3])
        }
        raw = (raw >> UInt32(shift)) & mask
        if let invalid, raw & invalidMask == invalid { return nil }
        let number: Double
        switch read {
        case .s8: number = Double(Int8(truncatingIfNeeded: raw))
        case .s16le, .s16be: number = Double(Int16(truncatingIfNeeded: raw))
        case .f32le:
            let float = Float(bitPattern: raw)
            guard float.isFinite else { return nil }
            number = Double(float)
        default: number = Double(raw)
        }
        switch transform {
        case .linear:
            return SensorMeasurement(kind, (number + bias) / divisor)
        case .goveeTemperature(let split, let signBit):
            let magnitude = raw & ~signBit
            let tenths = Double(magnitude / split)
            return SensorMeasurement(kind, (raw & signBit != 0 ? -tenths : tenths) / 10)
        case .goveeHumidity(let split, let signBit):
            let magnitude = raw & ~signBit
            return SensorMeasurement(kind, Double((magnitude % split) / (split / 1000)) / 10)
        case .modulo(let modulus, let signBit):
            return SensorMeasurement(kind, Double((raw & ~signBit) % modulus))
        case .signMagnitude(let fractionOffset, let fractionMask, let fractionDivisor, let negativeWhenSet):
            guard Int(fractionOffset) < bytes.count else { return nil }
            let whole = Double(raw & 0x7F)
            let fraction = Double(bytes[Int(fractionOffset)] & fractionMask)
            let magnitude = (whole * fractionDivisor + fraction) / fractionDivisor
            let negative = (raw & 0x80 != 0) == negativeWhenSet
            return SensorMeasurement(kind, negative ? -magnitude : magnitude)
        case .mopekaBattery:
            let volts = number / 32
            let percent = (volts - 2.2) / 0.65 * 100
            return SensorMeasurement(kind, min(100, max(0, percent)))
        case .mopekaLevel(let temperatureOffset):
            guard Int(temperatureOffset) < bytes.count else { return nil }
            let t = Double(bytes[Int(temperatureOffset)] & 0x7F)
            let millimetres = number * (0.573045 - 0.002822 * t - 0.00000535 * t * t)
            return SensorMeasurement(kind, millimetres / 10)
        }
    }
}

/// A layout's bytes: for manufacturer data the company id's two bytes (as on air) come
/// first, so offsets match the vendors' documents; for service data, the bytes after the UUID.
struct FieldBytes {
    let head: UInt16?
    let body: ArraySlice<UInt8>

    var count: Int { body.count + (head == nil ? 0 : 2) }

    subscript(offset: Int) -> UInt8 {
        guard let head else { return body[body.startIndex + offset] }
        switch offset {
        case 0: return UInt8(head & 0xFF)
        case 1: return UInt8(head >> 8)
        default: return body[body.startIndex + offset - 2]
        }
    }
}
