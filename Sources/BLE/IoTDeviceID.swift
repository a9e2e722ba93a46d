import Crypto
import Runtime

/// The IoT device id a device gets on approval: a random (version 4) UUID in lower case,
/// or one the user gives.
public enum IoTDeviceID: Sendable {
    /// A new random UUID; nil when the random generator is not ready.
    public static func random() -> String? {
        var bytes: [UInt8]
        do throws(CryptoError) { bytes = try SecureRandom.bytes(16) } catch { return nil }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Array(Hex.encode(bytes).utf8)
        var out: [UInt8] = []
        for (index, digit) in hex.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append(UInt8(ascii: "-")) }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` is a UUID in the 8-4-4-4-12 hex form.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                let isHex = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
                guard isHex else { return false }
            }
        }
        return true
    }
}
