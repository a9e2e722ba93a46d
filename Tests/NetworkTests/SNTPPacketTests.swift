import Testing
@testable import Network

/// The SNTP codec: the request's bytes, and every reason a reply is not believed.
@Suite("SNTP packets")
struct SNTPPacketTests {
    static let sent: Int64 = 1_796_000_000_123_456

    /// A server's reply to a request sent at `sent`, with its fields overridable.
    static func reply(first: UInt8 = 0x24, stratum: UInt8 = 2, origin: Int64 = sent,
                      receive: Int64 = sent + 5_000_000, transmit: Int64? = sent + 5_000_100) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 48)
        bytes[0] = first
        bytes[1] = stratum
        func put(_ value: UInt64, _ offset: Int) {
            for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * index)) }
        }
        put(SNTPPacket.timestamp(origin), 24)
        put(SNTPPacket.timestamp(receive), 32)
        put(transmit.map { SNTPPacket.timestamp($0) } ?? 0, 40)
        return bytes
    }

    @Test func requestIsVersion4ClientModeWithOurTransmitTime() {
        let request = SNTPPacket.request(transmit: Self.sent)
        #expect(request.count == 48)
        #expect(request[0] == 0x23)
        #expect(request[1..<40].allSatisfy { $0 == 0 })
        // 2026-12-01 is 0xED... seconds after 1900: the high byte of the transmit field.
        #expect(request[40] == UInt8(truncatingIfNeeded: (Self.sent / 1_000_000 + 2_208_988_800) >> 24))
    }

    @Test func timestampsRoundTripToTheMicrosecond() {
        for micros: Int64 in [0, 1, 999_999, 1_796_000_000_123_456, 2_085_978_496_000_000 + 17] {
            let back = SNTPPacket.micros(SNTPPacket.timestamp(micros))
            #expect(abs(back - micros) <= 1, "\(micros) came back as \(back)")
        }
    }

    @Test func aGoodReplyGivesTheOffsetAndDelay() throws {
        let parsed = try SNTPPacket.parse(Self.reply(), transmit: Self.sent)
        #expect(parsed.stratum == 2)
        // Sent at T1, arrived 200 µs later by our clock; the server is 5 s ahead.
        let offset = parsed.offset(sent: Self.sent, arrived: Self.sent + 200)
        #expect(abs(offset - 4_999_950) <= 2)
        #expect(abs(parsed.delay(sent: Self.sent, arrived: Self.sent + 200) - 100) <= 2)
    }

    @Test(arguments: [
        ("short", Array(SNTPPacketTests.reply().prefix(47))),
        ("client mode", SNTPPacketTests.reply(first: 0x23)),
        ("version 0", SNTPPacketTests.reply(first: 0x04)),
        ("kiss-o'-death", SNTPPacketTests.reply(stratum: 0)),
        ("stratum 16", SNTPPacketTests.reply(stratum: 16)),
        ("unsynchronised", SNTPPacketTests.reply(first: 0xE4)),
        ("another request", SNTPPacketTests.reply(origin: SNTPPacketTests.sent + 1)),
        ("no transmit time", SNTPPacketTests.reply(transmit: nil)),
    ])
    func badRepliesAreRefused(_ why: String, _ bytes: [UInt8]) {
        #expect(throws: NetworkError.self, "\(why)") { try SNTPPacket.parse(bytes, transmit: Self.sent) }
    }

    @Test func serversParseHostAndPort() throws {
        #expect(try TimeServer("pool.ntp.org") == TimeServer("pool.ntp.org:123"))
        #expect(try TimeServer("10.0.2.2:12345").port == 12345)
        for bad in ["", ":123", "host:0", "host:70000", "host:", "bad host", "a/b"] {
            #expect(throws: NetworkError.self, "\(bad)") { try TimeServer(bad) }
        }
    }
}
