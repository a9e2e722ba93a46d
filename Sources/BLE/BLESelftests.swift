import CBluetooth
import CLI

/// `switchyard selftest`'s check of libbluetooth as linked into this binary (the `ble`
/// service's descriptor lists it), so a broken link shows up before an adapter does.
enum BLESelftests {
    static var checks: [SelftestCheck] {[SelftestCheck("bluetooth", run: addressText)]}

    static func addressText() -> SelftestOutcome {
        var address = bdaddr_t(b: (0x66, 0x55, 0x44, 0x33, 0x22, 0x11))
        var text = [CChar](repeating: 0, count: 18)
        ba2str(&address, &text)
        let shown = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard shown == "11:22:33:44:55:66" else { return .failed("ba2str gave \(shown)") }
        return .passed("libbluetooth formats addresses")
    }
}
