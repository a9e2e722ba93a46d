import Crypto
import Runtime

/// A device's identity resolving key (New Identity Resolving Key event, Load Identity
/// Resolving Keys): `addr_info, value[16]`, 23 bytes. With it the kernel recognises a device
/// that advertises under changing random addresses. Secret: never printed, logged or published.
public struct MgmtIdentityResolvingKey: Equatable, Sendable {
    /// The identity address the resolved random addresses belong to.
    public var device: MgmtAddress
    /// Sixteen bytes.
    public var value: [UInt8]

    public static let wireSize = 23

    public init(device: MgmtAddress, value: [UInt8]) {
        precondition(value.count == 16, "IRK: 16 bytes")
        self.device = device
        self.value = value
    }

    /// Reads a key record at `offset`; nil when short or of an unknown address type.
    public init?(wire bytes: ArraySlice<UInt8>, at offset: Int = 0) {
        guard bytes.count >= offset + MgmtIdentityResolvingKey.wireSize,
              let device = MgmtAddress(wire: bytes, at: offset) else { return nil }
        let start = bytes.startIndex + offset + MgmtAddress.wireSize
        self.init(device: device, value: Array(bytes[start..<start + 16]))
    }

    /// The 23-byte record of Load Identity Resolving Keys.
    public var wire: [UInt8] { device.wire + value }

    /// The key as one item of `ble.pairing_keys`: `irk.MAC.type.value`.
    var record: String {
        ["irk", device.address.compact, Hex.encode([device.type.rawValue]), Hex.encode(value)].joined(separator: ".")
    }

    /// A key from its stored item; nil when it is not one.
    init?(record: String) {
        let parts = record.split(separator: ".").map(String.init)
        guard parts.count == 4, parts[0] == "irk", let address = BLEAddress(parts[1]),
              let type = MgmtStoredField.byte(parts[2]).flatMap({ MgmtAddressType(rawValue: $0) }),
              let value = MgmtStoredField.bytes(parts[3], 16) else { return nil }
        self.init(device: MgmtAddress(address, type), value: value)
    }
}
