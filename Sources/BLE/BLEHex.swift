import Crypto
import Runtime

/// How BLE identifiers are written in specs and in our JSON. Payload bytes use Crypto's
/// `Hex.encode` directly.
enum BLEHex {
    /// Four hex digits of a 16-bit UUID or company id, as written in specs (`fcd2`).
    static func uuid16(_ value: UInt16) -> String {
        Hex.encode([UInt8(value >> 8), UInt8(value & 0xFF)])
    }
}
