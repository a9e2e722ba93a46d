import Crypto
import Runtime

/// A mgmt status code (Command Complete / Command Status / Authentication Failed) and what it
/// means to someone pairing a device.
public struct MgmtStatus: Equatable, Sendable {
    public let rawValue: UInt8

    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let success = MgmtStatus(0x00)
    public static let failed = MgmtStatus(0x03)
    public static let connectFailed = MgmtStatus(0x04)
    public static let authenticationFailed = MgmtStatus(0x05)
    public static let notPaired = MgmtStatus(0x06)
    public static let timeout = MgmtStatus(0x08)
    public static let rejected = MgmtStatus(0x0B)
    public static let invalidParameters = MgmtStatus(0x0D)
    public static let cancelled = MgmtStatus(0x10)
    public static let alreadyPaired = MgmtStatus(0x13)

    public var isSuccess: Bool { rawValue == 0 }

    /// A sentence that says what went wrong and, where it helps, what to do.
    public var message: String {
        switch rawValue {
        case 0x00: return "success"
        case 0x01: return "the kernel does not know this mgmt command (too old a kernel)"
        case 0x02: return "the device is not connected"
        case 0x03: return "pairing failed"
        case 0x04: return "could not connect to the device (is it in range and advertising?)"
        case 0x05: return "authentication failed: the device refused pairing or the keys did not match"
        case 0x06: return "the device is not paired"
        case 0x07: return "the adapter has no resources left for this"
        case 0x08: return "the device did not answer in time"
        case 0x09: return "the device is already connected"
        case 0x0A: return "the adapter is busy; try again"
        case 0x0B: return "the adapter rejected the request (is LE enabled on it?)"
        case 0x0C: return "the adapter does not support this"
        case 0x0D: return "the kernel rejected the parameters (invalid address or address type)"
        case 0x0E: return "the device disconnected"
        case 0x0F: return "the adapter is not powered (bring it up first)"
        case 0x10: return "cancelled"
        case 0x11: return "the kernel does not know this adapter index"
        case 0x12: return "the adapter is blocked by rfkill"
        case 0x13: return "already paired (unpair first to pair again)"
        case 0x14: return "permission denied (the gateway needs CAP_NET_ADMIN)"
        default: return "mgmt status 0x" + Hex.encode([rawValue])
        }
    }
}
