/// An IEEE 11073-20601 number as the Bluetooth health profiles carry it: SFLOAT (16 bit,
/// 4-bit signed exponent and 12-bit signed mantissa, Blood Pressure Measurement 0x2A35) or
/// FLOAT (32 bit, 8-bit signed exponent and 24-bit signed mantissa, Temperature Measurement
/// 0x2A1C). value = mantissa x 10^exponent; some mantissas are reserved special values.
public enum IEEE11073Float: Equatable, Sendable {
    case value(Double)
    /// Not a Number: the device could not measure.
    case notANumber
    /// Not at this Resolution: the value does not fit the format.
    case notAtThisResolution
    case positiveInfinity
    case negativeInfinity
    /// Reserved for future use (SFLOAT 0x0801, FLOAT 0x800001).
    case reserved

    /// The value when it is a finite number.
    public var finite: Double? {
        if case .value(let value) = self { return value }
        return nil
    }

    /// SFLOAT from its 16 bits (little-endian on the wire). Special mantissas (exponent 0):
    /// 0x07FF NaN, 0x0800 NRes, 0x07FE +INF, 0x0802 -INF, 0x0801 reserved.
    public static func sfloat(_ raw: UInt16) -> IEEE11073Float {
        switch raw {
        case 0x07FF: return .notANumber
        case 0x0800: return .notAtThisResolution
        case 0x07FE: return .positiveInfinity
        case 0x0802: return .negativeInfinity
        case 0x0801: return .reserved
        default: break
        }
        let mantissa = Int32(Int16(bitPattern: raw << 4) >> 4)
        let exponent = Int(Int8(bitPattern: UInt8(truncatingIfNeeded: raw >> 12) << 4) >> 4)
        return .value(scaled(mantissa, exponent))
    }

    /// FLOAT from its 32 bits. Special mantissas (exponent 0): 0x7FFFFF NaN, 0x800000 NRes,
    /// 0x7FFFFE +INF, 0x800002 -INF, 0x800001 reserved.
    public static func float(_ raw: UInt32) -> IEEE11073Float {
        switch raw {
        case 0x007F_FFFF: return .notANumber
        case 0x0080_0000: return .notAtThisResolution
        case 0x007F_FFFE: return .positiveInfinity
        case 0x0080_0002: return .negativeInfinity
        case 0x0080_0001: return .reserved
        default: break
        }
        let mantissa = Int32(bitPattern: raw << 8) >> 8
        let exponent = Int(Int8(bitPattern: UInt8(truncatingIfNeeded: raw >> 24)))
        return .value(scaled(mantissa, exponent))
    }

    /// mantissa x 10^exponent, dividing for negative exponents so 0.1-steps print exactly
    /// (1205 x 10^-1 is 120.5, not 120.50000000000001).
    private static func scaled(_ mantissa: Int32, _ exponent: Int) -> Double {
        var power = 1.0
        for _ in 0..<min(abs(exponent), 128) { power *= 10 }
        return exponent < 0 ? Double(mantissa) / power : Double(mantissa) * power
    }
}
