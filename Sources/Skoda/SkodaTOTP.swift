import Crypto

/// The one-time code Skoda's broker wants in CONNECT since March 2026 (`auth_credentials`):
/// RFC 6238 TOTP over HMAC-SHA256, keyed with SHA-256 of the FCM push token, 30 s steps,
/// RFC 4226 dynamic truncation, 6 digits.
public enum SkodaTOTP {
    public static let step: Int64 = 30
    public static let digits = 6

    /// The code for `unixTime` (seconds since the epoch).
    public static func code(fcmToken: String, unixTime: Int64) -> String {
        code(key: SHA256.hash(fcmToken), counter: UInt64(unixTime / step))
    }

    /// RFC 4226 HOTP with HMAC-SHA256: the counter as 8 bytes big-endian, the 4 bytes at the
    /// offset named by the last byte's low nibble, top bit cleared, mod 10^digits, zero-padded.
    public static func code(key: [UInt8], counter: UInt64, digits: Int = SkodaTOTP.digits) -> String {
        var message = [UInt8](repeating: 0, count: 8)
        for index in 0..<8 { message[index] = UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64(index))) }
        let mac = HMACSHA256.mac(key: key, message: message)
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        var text = String(binary % modulus)
        while text.count < digits { text = "0" + text }
        return text
    }
}
