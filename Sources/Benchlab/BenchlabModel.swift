/// The two Benchlab hardware generations, told apart by READ_VENDOR_DATA's product ID. What
/// differs between them and between firmware versions lives here, in one place.
public enum BenchlabModel: Equatable {
    /// The first Benchlab (product 0x10): 4 temperature probes, 11 power rails, 216-byte frames.
    case original
    /// Benchlab 2 (product 0x11): 8 probes, 23 power readings, fault registers.
    case bl2

    /// The vendor byte every Benchlab reports.
    public static let vendorID: UInt8 = 0xEE

    /// The model with READ_VENDOR_DATA product ID `productID`, if it is one.
    public init?(productID: UInt8) {
        switch productID {
        case 0x10: self = .original
        case 0x11: self = .bl2
        default: return nil
        }
    }

    /// READ_VENDOR_DATA product ID of this model.
    public var productID: UInt8 {
        switch self {
        case .original: return 0x10
        case .bl2: return 0x11
        }
    }

    /// `ORIGINAL` or `BL2`, as the vendor tools name them.
    public var name: String {
        switch self {
        case .original: return "ORIGINAL"
        case .bl2: return "BL2"
        }
    }

    /// Bytes of a READ_SENSORS reply: BL2 added its two fault registers in firmware 5.
    public func sensorFrameLength(firmware: UInt8) -> Int {
        switch self {
        case .original: return 216
        case .bl2: return firmware >= 5 ? 384 : 368
        }
    }

    /// Bytes of a WELCOME reply: 9 (`BENCHLAB\0`) on early firmware, 32 NUL-padded later.
    public func welcomeLength(firmware: UInt8) -> Int {
        switch self {
        case .original: return firmware <= 4 ? 9 : 32
        case .bl2: return firmware <= 5 ? 9 : 32
        }
    }

    /// Whether this firmware pushes an unsolicited 32-byte welcome when RTS rises.
    public func pushesWelcomeOnRTS(firmware: UInt8) -> Bool {
        switch self {
        case .original: return firmware >= 5
        case .bl2: return firmware >= 6
        }
    }

    /// Divisor of the chip temperature: ORIGINAL firmware 2 reports whole degrees, every later
    /// firmware tenths (the vendor's Python tool divides by 10 on every version, which is
    /// wrong on fw 2).
    public func chipTemperatureDivisor(firmware: UInt8) -> Double {
        switch self {
        case .original: return firmware <= 2 ? 1 : 10
        case .bl2: return 10
        }
    }

    /// Temperature probes (`Ts[]`) in a sensor frame.
    public var probeCount: Int { self == .original ? 4 : 8 }
    /// Power readings in a sensor frame: the 11 rails, plus BL2's 12 per-wire HPWR readings.
    public var powerReadingCount: Int { self == .original ? 11 : 23 }
}
