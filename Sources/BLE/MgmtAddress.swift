/// The address type as mgmt numbers it: NOT the HCI numbering of adverts (there 0 is public
/// and 1 random; here 0 is BR/EDR).
public enum MgmtAddressType: UInt8, Sendable {
    case brEdr = 0
    case lePublic = 1
    case leRandom = 2

    /// The mgmt type of an LE device heard with HCI address type `type`.
    public init(hci type: BLEAddressType) {
        switch type {
        case .public, .publicIdentity: self = .lePublic
        case .random, .randomIdentity: self = .leRandom
        }
    }

    /// `public`, `random` or `br_edr`, for JSON and logs.
    public var name: String {
        switch self {
        case .brEdr: return "br_edr"
        case .lePublic: return "public"
        case .leRandom: return "random"
        }
    }
}

/// A device as mgmt commands and events name it: `addr_info {bdaddr[6] LE, u8 type}`.
public struct MgmtAddress: Hashable, Sendable {
    public var address: BLEAddress
    public var type: MgmtAddressType

    /// Bytes on the wire.
    public static let wireSize = 7

    public init(_ address: BLEAddress, _ type: MgmtAddressType) {
        self.address = address
        self.type = type
    }

    /// Reads an `addr_info` at `offset` of `bytes`; nil when short or of an unknown type.
    public init?(wire bytes: ArraySlice<UInt8>, at offset: Int = 0) {
        guard offset >= 0, bytes.count >= offset + MgmtAddress.wireSize,
              let type = MgmtAddressType(rawValue: bytes.byte(offset + 6)) else { return nil }
        let start = bytes.startIndex + offset
        self.init(BLEAddress(wire: bytes[start..<start + 6]), type)
    }

    /// The seven wire bytes: address little-endian, then the type.
    public var wire: [UInt8] {
        var bytes = (0..<6).map { UInt8(truncatingIfNeeded: address.rawValue >> UInt64(8 * $0)) }
        bytes.append(type.rawValue)
        return bytes
    }
}
