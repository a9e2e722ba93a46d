import BLE

/// Byte vectors from ../shared/reference/ble.md, plus ones built by an independent
/// implementation (Python's `cryptography` AESCCM, see tools/hci-sim.py) where the
/// reference gives none.
enum BLETestVectors {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
            chars = chars.dropFirst(2)
        }
        return out
    }

    /// Reference: BTHome v2, 25.00 degC, 50.55 %.
    static let bthomeAD = bytes("0A16D2FC4002C40903BF13")
    /// Reference: RuuviTag format 5 manufacturer payload (after the company id).
    static let ruuviPayload = bytes("0512FC5394C37C0004FFFC040CAC364200CDCBB8334C884F")
    /// The Ruuvi payload as a full AD structure (company 0x0499 little-endian first).
    static var ruuviAD: [UInt8] { [UInt8(3 + ruuviPayload.count), 0xFF, 0x99, 0x04] + ruuviPayload }

    /// Encrypted BTHome: key, sender, and the AD structure made by Python's AESCCM with
    /// info 0x41, counter 0x00112233 over the plain objects of `bthomeAD`.
    static let bthomeKey = bytes("231d39c1d7cc1ab1aee224cd096db932")
    static let bthomeKeyAddress = BLEAddress("54:48:E6:8F:80:A5")!
    static let bthomeEncryptedAD = bytes("1216d2fc41e44bf3c9962b33221100796a9474")

    /// ATC1441 for A4:C1:38:01:02:03: 23.4 degC, 45 %, 87 %, 2.95 V, counter 7 (built
    /// from the field layout in the reference: MAC, s16 BE, u8, u8, u16 BE, u8).
    static let atcAD: [UInt8] = [0x10, 0x16, 0x1A, 0x18, 0xA4, 0xC1, 0x38, 0x01, 0x02, 0x03, 0x00, 0xEA, 45, 87,
                                 0x0B, 0x86, 7]
    /// pvvx for A4:C1:38:01:02:03: -5.12 degC, 61.23 %, 3.001 V, 92 %, counter 200, flags 4.
    static let pvvxAD: [UInt8] = [0x12, 0x16, 0x1A, 0x18, 0x03, 0x02, 0x01, 0x38, 0xC1, 0xA4, 0x00, 0xFE, 0xEB, 0x17,
                                  0xB9, 0x0B, 92, 200, 4]
}
