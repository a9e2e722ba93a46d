import Runtime

/// The HCI commands the gateway sends, encoded as H4 command packets
/// (`01 | opcode LE16 | length | parameters`), the same bytes for a UART and a raw socket.
public struct HCICommand: Equatable {
    public let opcode: UInt16
    public let parameters: [UInt8]

    public init(opcode: UInt16, parameters: [UInt8] = []) {
        self.opcode = opcode
        self.parameters = parameters
    }

    public static let resetOpcode: UInt16 = 0x0C03
    public static let setEventMaskOpcode: UInt16 = 0x0C01
    public static let leSetEventMaskOpcode: UInt16 = 0x2001
    public static let leSetScanParametersOpcode: UInt16 = 0x200B
    public static let leSetScanEnableOpcode: UInt16 = 0x200C
    public static let leSetExtendedScanParametersOpcode: UInt16 = 0x2041
    public static let leSetExtendedScanEnableOpcode: UInt16 = 0x2042
    /// Sent by the kernel (never by the gateway) when it connects: LE Create Connection,
    /// LE Extended Create Connection, LE Create Connection Cancel.
    public static let leCreateConnectionOpcode: UInt16 = 0x200D
    public static let leExtendedCreateConnectionOpcode: UInt16 = 0x2043
    public static let leCreateConnectionCancelOpcode: UInt16 = 0x200E

    /// Whether `opcode` turns a scan on or off (legacy or extended).
    public static func isScanEnable(_ opcode: UInt16) -> Bool {
        opcode == leSetScanEnableOpcode || opcode == leSetExtendedScanEnableOpcode
    }

    /// The H4 packet.
    public var packet: [UInt8] {
        var bytes: [UInt8] = [0x01, UInt8(opcode & 0xFF), UInt8(opcode >> 8), UInt8(parameters.count)]
        bytes += parameters
        return bytes
    }

    /// A short name for logs.
    public var name: String {
        switch opcode {
        case HCICommand.resetOpcode: return "Reset"
        case HCICommand.setEventMaskOpcode: return "Set Event Mask"
        case HCICommand.leSetEventMaskOpcode: return "LE Set Event Mask"
        case HCICommand.leSetScanParametersOpcode: return "LE Set Scan Parameters"
        case HCICommand.leSetScanEnableOpcode: return "LE Set Scan Enable"
        case HCICommand.leSetExtendedScanParametersOpcode: return "LE Set Extended Scan Parameters"
        case HCICommand.leSetExtendedScanEnableOpcode: return "LE Set Extended Scan Enable"
        default: return "opcode 0x" + BLEHex.uuid16(opcode)
        }
    }

    public static var reset: HCICommand { HCICommand(opcode: resetOpcode) }

    /// Default events plus LE Meta (bit 61), which carries every advertising report.
    public static var setEventMask: HCICommand {
        HCICommand(opcode: setEventMaskOpcode, parameters: le64(0x2000_1FFF_FFFF_FFFF))
    }

    /// LE events 0..12: connection complete, advertising reports, ..., extended reports.
    public static var leSetEventMask: HCICommand {
        HCICommand(opcode: leSetEventMaskOpcode, parameters: le64(0x0000_0000_0000_1FFF))
    }

    /// Legacy scan parameters; interval and window in 0.625 ms units.
    public static func leSetScanParameters(active: Bool, interval: UInt16, window: UInt16) -> HCICommand {
        HCICommand(opcode: leSetScanParametersOpcode, parameters: [
            active ? 1 : 0, UInt8(interval & 0xFF), UInt8(interval >> 8), UInt8(window & 0xFF), UInt8(window >> 8),
            0, 0,
        ])
    }

    /// Legacy scan enable; duplicates are never filtered (a sensor repeats its advert with
    /// new values, and the watchdog counts adverts).
    public static func leSetScanEnable(_ enable: Bool) -> HCICommand {
        HCICommand(opcode: leSetScanEnableOpcode, parameters: [enable ? 1 : 0, 0])
    }

    /// Extended scan parameters on the 1M PHY.
    public static func leSetExtendedScanParameters(active: Bool, interval: UInt16, window: UInt16) -> HCICommand {
        HCICommand(opcode: leSetExtendedScanParametersOpcode, parameters: [
            0, 0, 0x01, active ? 1 : 0, UInt8(interval & 0xFF), UInt8(interval >> 8), UInt8(window & 0xFF),
            UInt8(window >> 8),
        ])
    }

    /// Extended scan enable, continuous (duration and period 0).
    public static func leSetExtendedScanEnable(_ enable: Bool) -> HCICommand {
        HCICommand(opcode: leSetExtendedScanEnableOpcode, parameters: [enable ? 1 : 0, 0, 0, 0, 0, 0])
    }

    private static func le64(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
    }
}
