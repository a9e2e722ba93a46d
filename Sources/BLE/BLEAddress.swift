import Runtime

/// A Bluetooth device address (48 bits), kept as an integer so the registry hashes and
/// compares it without allocating. The wire order (HCI) is little-endian; people and topics
/// use the display order, most significant byte first.
public struct BLEAddress: Hashable, Comparable, Sendable {
    /// The 48-bit address; byte 0 on the wire is the lowest byte here.
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    /// The address from its six wire bytes (little-endian, as in HCI reports).
    public init(wire bytes: ArraySlice<UInt8>) {
        precondition(bytes.count == 6, "BLEAddress: six bytes")
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes {
            value |= UInt64(byte) << shift
            shift += 8
        }
        self.init(rawValue: value)
    }

    /// The address from six bytes in display order (as ATC1441 puts the MAC in its advert).
    public init(display bytes: ArraySlice<UInt8>) {
        precondition(bytes.count == 6, "BLEAddress: six bytes")
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        self.init(rawValue: value)
    }

    /// Parses `AA:BB:CC:DD:EE:FF`, `aa-bb-...` or `AABBCCDDEEFF`; nil for anything else.
    public init?(_ text: String) {
        var value: UInt64 = 0
        var digits = 0
        var sinceSeparator = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-") {
                guard sinceSeparator == 2 else { return nil }
                sinceSeparator = 0
                continue
            }
            guard let nibble = Hex.value(of: byte), digits < 12 else { return nil }
            value = value << 4 | UInt64(nibble)
            digits += 1
            sinceSeparator += 1
        }
        guard digits == 12 else { return nil }
        self.init(rawValue: value)
    }

    /// Display-order bytes, most significant first.
    public var displayBytes: [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> UInt64(8 * (5 - $0))) }
    }

    /// `AA:BB:CC:DD:EE:FF`.
    public var text: String { format(separator: true) }
    /// `AABBCCDDEEFF`: the topic segment and discovery ids.
    public var compact: String { format(separator: false) }

    private func format(separator: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(17)
        for (index, byte) in displayBytes.enumerated() {
            if separator && index > 0 { out.append(UInt8(ascii: ":")) }
            Hex.appendByte(byte, .upper, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (lhs: BLEAddress, rhs: BLEAddress) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The address type an HCI report gives (not the mgmt numbering).
public enum BLEAddressType: UInt8, Sendable {
    case `public` = 0
    case random = 1
    case publicIdentity = 2
    case randomIdentity = 3

    /// Reports carry other values for anonymous adverts (0xFF): treated as random.
    public init(hci value: UInt8) { self = BLEAddressType(rawValue: value) ?? .random }

    /// `public`, `random`, ... for JSON and listings.
    public var name: String {
        switch self {
        case .public: return "public"
        case .random: return "random"
        case .publicIdentity: return "public_identity"
        case .randomIdentity: return "random_identity"
        }
    }
}
