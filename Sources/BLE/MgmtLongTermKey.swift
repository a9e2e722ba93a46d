import Crypto
import Runtime

/// An LE long term key as the kernel hands it out (New Long Term Key event) and takes it
/// back (Load Long Term Keys): `addr_info, key_type, central, enc_size, le16 ediv, rand[8],
/// value[16]`, 36 bytes. Secret: never printed, logged or published.
public struct MgmtLongTermKey: Equatable, Sendable {
    /// The device's identity address (public or static random).
    public var device: MgmtAddress
    /// 0 unauthenticated legacy, 1 authenticated legacy, 2/3 (un)authenticated P-256, 4 debug.
    public var keyType: UInt8
    /// Whether the key is used when we are the central (legacy pairing hands out one per role).
    public var central: UInt8
    public var encryptionSize: UInt8
    public var diversifier: UInt16
    /// Eight bytes.
    public var random: [UInt8]
    /// Sixteen bytes.
    public var value: [UInt8]

    public static let wireSize = 36

    public init(device: MgmtAddress, keyType: UInt8, central: UInt8, encryptionSize: UInt8, diversifier: UInt16,
                random: [UInt8], value: [UInt8]) {
        precondition(random.count == 8 && value.count == 16, "LTK: 8 random and 16 value bytes")
        self.device = device
        self.keyType = keyType
        self.central = central
        self.encryptionSize = encryptionSize
        self.diversifier = diversifier
        self.random = random
        self.value = value
    }

    /// Reads a key record at `offset`; nil when short or of an unknown address type.
    public init?(wire bytes: ArraySlice<UInt8>, at offset: Int = 0) {
        guard bytes.count >= offset + MgmtLongTermKey.wireSize,
              let device = MgmtAddress(wire: bytes, at: offset) else { return nil }
        let start = bytes.startIndex + offset
        self.init(device: device, keyType: bytes.byte(offset + 7), central: bytes.byte(offset + 8),
                  encryptionSize: bytes.byte(offset + 9), diversifier: UInt16(bytes.unsignedLE(offset + 10, 2)),
                  random: Array(bytes[start + 12..<start + 20]), value: Array(bytes[start + 20..<start + 36]))
    }

    /// The 36-byte record of Load Long Term Keys.
    public var wire: [UInt8] {
        var bytes = device.wire
        bytes += [keyType, central, encryptionSize, UInt8(diversifier & 0xFF), UInt8(diversifier >> 8)]
        bytes += random
        bytes += value
        return bytes
    }

    /// Whether `other` takes this key's place: the same device and role.
    func replaces(_ other: MgmtLongTermKey) -> Bool {
        device.address == other.device.address && central == other.central
    }

    // The stored form (in the secret `ble.pairing_keys`): `ltk.MAC.type.keytype.central.size.
    // ediv.rand.value`, numbers in hex, so a line of the config file holds many keys.

    /// The key as one item of `ble.pairing_keys`.
    var record: String {
        ["ltk", device.address.compact, Hex.encode([device.type.rawValue]), Hex.encode([keyType]),
         Hex.encode([central]), Hex.encode([encryptionSize]),
         Hex.encode([UInt8(diversifier >> 8), UInt8(diversifier & 0xFF)]), Hex.encode(random), Hex.encode(value)]
            .joined(separator: ".")
    }

    /// A key from its stored item; nil when it is not one.
    init?(record: String) {
        let parts = record.split(separator: ".").map(String.init)
        guard parts.count == 9, parts[0] == "ltk", let address = BLEAddress(parts[1]),
              let type = MgmtStoredField.byte(parts[2]).flatMap({ MgmtAddressType(rawValue: $0) }),
              let keyType = MgmtStoredField.byte(parts[3]), let central = MgmtStoredField.byte(parts[4]),
              let size = MgmtStoredField.byte(parts[5]), let ediv = MgmtStoredField.bytes(parts[6], 2),
              let random = MgmtStoredField.bytes(parts[7], 8), let value = MgmtStoredField.bytes(parts[8], 16)
        else { return nil }
        self.init(device: MgmtAddress(address, type), keyType: keyType, central: central, encryptionSize: size,
                  diversifier: UInt16(ediv[0]) << 8 | UInt16(ediv[1]), random: random, value: value)
    }
}

/// Hex fields of stored key items.
enum MgmtStoredField {
    static func bytes(_ text: String, _ count: Int) -> [UInt8]? {
        guard text.utf8.count == 2 * count else { return nil }
        do throws(CryptoError) { return try Hex.decode(text) } catch { return nil }
    }

    static func byte(_ text: String) -> UInt8? { bytes(text, 1)?[0] }
}
