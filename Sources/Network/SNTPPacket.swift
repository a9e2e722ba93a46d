/// SNTP (RFC 4330) on the wire: the 48-byte client request and the checks a server's reply
/// must pass before its time is believed. Times are microseconds since the Unix epoch.
public enum SNTPPacket {
    /// Every SNTP message is at least this long (extension fields and MACs follow, ignored).
    public static let size = 48
    /// Seconds from the NTP era (1900) to the Unix epoch (1970).
    static let unixOffset: Int64 = 2_208_988_800

    /// A client request (LI 0, version 4, mode 3) whose transmit timestamp is `transmit`; the
    /// server copies it into its reply's originate field, which is how a reply is matched.
    public static func request(transmit: Int64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes[0] = 0x23
        put(timestamp(transmit), into: &bytes, at: 40)
        return bytes
    }

    /// The server's receive and transmit times of a reply to the request sent with
    /// `transmit`, or why it is not believed.
    public static func parse(_ bytes: [UInt8], transmit: Int64) throws(NetworkError) -> SNTPReply {
        guard bytes.count >= size else { throw .badReply("short reply of " + String(bytes.count) + " bytes") }
        let leap = bytes[0] >> 6, version = (bytes[0] >> 3) & 7, mode = bytes[0] & 7
        guard mode == 4 || mode == 5 else { throw .badReply("mode " + String(mode) + ", not a server") }
        guard version >= 1 && version <= 4 else { throw .badReply("version " + String(version)) }
        let stratum = bytes[1]
        // Stratum 0 is a kiss-o'-death ("RATE", "DENY"); leap 3 is a server not synchronised itself.
        guard stratum >= 1 && stratum <= 15 && leap != 3 else {
            throw .badReply("server not synchronised (stratum " + String(stratum) + ")")
        }
        guard read(bytes, at: 24) == timestamp(transmit) else { throw .badReply("reply to another request") }
        let transmitStamp = read(bytes, at: 40)
        guard transmitStamp != 0 else { throw .badReply("no transmit time") }
        return SNTPReply(stratum: stratum, receive: micros(read(bytes, at: 32)), transmit: micros(transmitStamp))
    }

    /// The 64-bit NTP timestamp (seconds since 1900 in the high half, a binary fraction in the low).
    static func timestamp(_ micros: Int64) -> UInt64 {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let rest = micros - seconds * 1_000_000
        let ntpSeconds = UInt64(truncatingIfNeeded: seconds + unixOffset) & 0xFFFF_FFFF
        return ntpSeconds << 32 | (UInt64(rest) << 32) / 1_000_000
    }

    /// Microseconds since the Unix epoch of an NTP timestamp. Seconds below 2^31 are taken
    /// as era 1 (from 2036 on), as RFC 4330 section 3 suggests.
    static func micros(_ stamp: UInt64) -> Int64 {
        var seconds = Int64(stamp >> 32)
        if seconds < 0x8000_0000 { seconds += 1 << 32 }
        let fraction = Int64(((stamp & 0xFFFF_FFFF) * 1_000_000) >> 32)
        return (seconds - unixOffset) * 1_000_000 + fraction
    }

    private static func read(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<offset + 8 { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    private static func put(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * index)) }
    }
}

/// What a believed SNTP reply says: the server's stratum and its receive and transmit times
/// (microseconds since the Unix epoch).
public struct SNTPReply: Equatable {
    public let stratum: UInt8
    public let receive: Int64
    public let transmit: Int64

    /// The clock's offset from the server for a request sent at `sent` and answered at
    /// `arrived` (our clock): ((T2 - T1) + (T3 - T4)) / 2.
    public func offset(sent: Int64, arrived: Int64) -> Int64 { ((receive - sent) + (transmit - arrived)) / 2 }

    /// The round trip less the server's own time: (T4 - T1) - (T3 - T2).
    public func delay(sent: Int64, arrived: Int64) -> Int64 { (arrived - sent) - (transmit - receive) }
}
