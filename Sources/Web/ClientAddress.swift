/// Who a request came from, as the login throttle counts clients: an IPv4 address, or the
/// /64 network of an IPv6 address. One IPv6 host usually holds a whole /64 and can pick any
/// address in it, so counting single IPv6 addresses would hand it endless fresh starts.
/// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, a dual-stack bind) counts as its IPv4.
struct ClientAddress: Hashable {
    /// The IPv4 address (or the /64 prefix) in the high word; `isIPv6` keeps the two apart.
    let bits: UInt64
    let isIPv6: Bool

    /// An address libmicrohttpd had none for (never seen on TCP; counted as one client).
    static let unknown = ClientAddress(bits: 0, isIPv6: false)

    /// From the address's raw bytes in network order: 4 (IPv4) or 16 (IPv6).
    init(bytes: [UInt8]) {
        if bytes.count == 4 {
            self.init(bits: ClientAddress.bigEndianWord(bytes[0..<4]), isIPv6: false)
            return
        }
        guard bytes.count == 16 else {
            self = .unknown
            return
        }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        if mapped {
            self.init(bits: ClientAddress.bigEndianWord(bytes[12..<16]), isIPv6: false)
        } else {
            self.init(bits: ClientAddress.bigEndianWord(bytes[0..<8]), isIPv6: true)
        }
    }

    private init(bits: UInt64, isIPv6: Bool) {
        self.bits = bits
        self.isIPv6 = isIPv6
    }

    private static func bigEndianWord(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// `192.168.1.5`, or `2001:db8:0:1::/64`-style text (groups of the prefix in hex).
    var description: String {
        guard isIPv6 else {
            return String(bits >> 24) + "." + String((bits >> 16) & 0xFF) + "." + String((bits >> 8) & 0xFF)
                + "." + String(bits & 0xFF)
        }
        var text = ""
        for group in 0..<4 {
            let value = (bits >> UInt64(48 - group * 16)) & 0xFFFF
            text += (group == 0 ? "" : ":") + String(value, radix: 16)
        }
        return text + "::/64"
    }
}
