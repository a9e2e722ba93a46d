import Store

/// Which bus a tunnel opens and how.
public struct CANBusSettings: Equatable {
    /// The kind of bus.
    public enum Kind: ConfigChoice {
        case socketcan
        case slcan
        /// Generated frames, no hardware (benchmarks, demos).
        case synthetic

        public var name: String {
            switch self {
            case .socketcan: return "socketcan"
            case .slcan: return "slcan"
            case .synthetic: return "synthetic"
            }
        }

        /// What `can.bus` offers: the synthetic bus is for benchmarks, not a setting.
        public static var configChoices: [Kind] { [.socketcan, .slcan] }
        public var configName: String { name }

        /// Parses `socketcan`, `slcan` or `synthetic` (any case).
        public init?(name: String) {
            switch name.lowercased() {
            case "socketcan": self = .socketcan
            case "slcan": self = .slcan
            case "synthetic": self = .synthetic
            default: return nil
            }
        }
    }

    public var kind: Kind
    /// A SocketCAN interface (`can0`) or an SLCAN adapter's serial device (`/dev/ttyACM0`).
    public var device: String
    /// Nominal bit rate. nil keeps a SocketCAN interface's own setting and means 500 kbit/s
    /// for SLCAN (an adapter must be told one).
    public var bitrate: Int?
    /// CAN FD data-phase bit rate (SLCAN `Y` codes 2M and 5M), or nil for none.
    public var dataBitrate: Int?
    /// SLCAN: open with `L` (listen-only: the adapter neither ACKs nor transmits).
    public var listenOnly: Bool
    /// Synthetic bus: frames per second (0 unpaced) and how many in all (0 endless).
    public var syntheticRate: Int
    public var syntheticCount: Int

    /// What an SLCAN adapter runs at when no bit rate is given (the seed's `-s` default).
    public static let defaultSLCANBitrate = 500_000

    /// Settings for a bus of `kind` on `device`.
    public init(kind: Kind, device: String, bitrate: Int? = nil, dataBitrate: Int? = nil, listenOnly: Bool = false,
                syntheticRate: Int = 1000, syntheticCount: Int = 0) {
        self.kind = kind
        self.device = device
        self.bitrate = bitrate
        self.dataBitrate = dataBitrate
        self.listenOnly = listenOnly
        self.syntheticRate = syntheticRate
        self.syntheticCount = syntheticCount
    }

    /// Why these settings cannot work, or nil: an SLCAN bit rate without an `S` code, a data
    /// rate without a `Y` code, an empty device.
    public var problem: String? {
        if kind != .synthetic && device.isEmpty { return "no CAN interface or device given" }
        if kind == .slcan {
            let rate = bitrate ?? CANBusSettings.defaultSLCANBitrate
            if SLCANBitrate.nominalCode(for: rate) == nil {
                return "SLCAN adapters cannot run at " + String(rate) + " bit/s; use one of " + SLCANBitrate.nominalList
            }
            if let data = dataBitrate, SLCANBitrate.dataCode(for: data) == nil {
                return "SLCAN adapters cannot run a CAN FD data phase at " + String(data) + " bit/s; use 2000000 or 5000000"
            }
        }
        if let rate = bitrate, rate <= 0 || rate > 1_000_000 {
            return "a CAN bit rate must be between 1 and 1000000 bit/s, not " + String(rate)
        }
        return nil
    }
}
