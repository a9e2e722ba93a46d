import Runtime

/// The syntax checks of the Wi-Fi kinds, so `set wifi.*` refuses what wpa_supplicant could
/// never use instead of the network service finding out at its start.
extension ConfigKind {
    /// Empty, or 1 to 32 bytes without NUL: an SSID is any octets (IEEE 802.11), and the
    /// service writes it to wpa_supplicant as hex.
    static func isWifiSSID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count <= 32 && !bytes.contains(0)
    }

    /// Empty (open), 8 to 63 ASCII characters 32..126, or 64 hex digits (the PSK itself).
    static func isWifiPassphrase(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return true }
        if bytes.count == 64 { return bytes.allSatisfy { Hex.value(of: $0) != nil } }
        return bytes.count >= 8 && bytes.count <= 63 && bytes.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    /// Two ASCII letters, upper-cased (`de` is kept as `DE`), or nil.
    static func countryCode(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 2 else { return nil }
        var upper: [UInt8] = []
        for byte in bytes {
            switch byte {
            case 0x41...0x5A: upper.append(byte)
            case 0x61...0x7A: upper.append(byte - 0x20)
            default: return nil
            }
        }
        return String(decoding: upper, as: UTF8.self)
    }
}
