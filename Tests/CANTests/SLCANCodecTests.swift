import Runtime
import CAN
import ServiceKit
import Testing

@Suite("SLCAN (Lawicel ASCII) codec")
struct SLCANCodecTests {
    private func parse(_ text: String) -> SLCANReply? {
        SLCANCodec.parse(Array(text.utf8)[...], receivedAt: 99)
    }

    @Test("parses every frame kind a CANable sends")
    func parsesFrames() {
        #expect(parse("t1238DEADBEEF01020304") == .frame(CANFrame(id: 0x123, data: [0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4], timestamp: 99)))
        #expect(parse("T18DAF1103022110") == .frame(CANFrame(id: 0x18DA_F110, extended: true, data: [0x02, 0x21, 0x10], timestamp: 99)))
        #expect(parse("r1234") == .frame(CANFrame(id: 0x123, remote: true, data: [0, 0, 0, 0], timestamp: 99)))
        #expect(parse("R1FFFFFFF0") == .frame(CANFrame(id: 0x1FFF_FFFF, extended: true, remote: true, timestamp: 99)))
        #expect(parse("t0000") == .frame(CANFrame(id: 0, timestamp: 99)))
        let twelve = [UInt8](0..<12)
        #expect(parse("d7FF9" + Hex.encode(twelve, .upper)) == .frame(CANFrame(id: 0x7FF, fd: true, data: twelve, timestamp: 99)))
        #expect(parse("B00000001F" + String(repeating: "AB", count: 64))
                == .frame(CANFrame(id: 1, extended: true, fd: true, bitRateSwitch: true,
                                   data: [UInt8](repeating: 0xAB, count: 64), timestamp: 99)))
        #expect(parse("D000000018" + String(repeating: "00", count: 8))
                == .frame(CANFrame(id: 1, extended: true, fd: true, data: [UInt8](repeating: 0, count: 8), timestamp: 99)))
    }

    @Test("accepts lower-case hex and a trailing Z1 millisecond timestamp")
    func acceptsTimestamps() {
        #expect(parse("t7e82abcdEA5F") == .frame(CANFrame(id: 0x7E8, data: [0xAB, 0xCD], timestamp: 99)))
        #expect(parse("r1232EA5F") == .frame(CANFrame(id: 0x123, remote: true, data: [0, 0], timestamp: 99)))
        #expect(parse("t1230EA60") == nil, "timestamps wrap at 60000 ms")
    }

    @Test("parses the adapter's replies")
    func parsesReplies() {
        #expect(parse("") == .ok)
        #expect(parse("z") == .transmitted)
        #expect(parse("Z") == .transmitted)
        #expect(parse("V1013") == .version("1013"))
        #expect(parse("NA1B2") == .serialNumber("A1B2"))
        #expect(parse("F84") == .status(0x84))
    }

    @Test("garbage is nil, never a frame and never a crash")
    func rejectsGarbage() {
        let garbage = [
            "t123", "t12", "t1239" + String(repeating: "00", count: 9), "t8000", "tG230", "t1232ABC", "t1232ABCDE",
            "t1232ZZZZ", "T1234567", "T2000000000", "r1239", "d123G", "X", "hello", "zz", "F8", "FGG", "t1231AB12345",
            "V\u{1}", "b123F" + String(repeating: "00", count: 63),
        ]
        for line in garbage { #expect(parse(line) == nil, "accepted \(line)") }
    }

    @Test("encodes frames the way it parses them, upper-case hex")
    func encodesFrames() {
        #expect(SLCANCodec.line(for: CANFrame(id: 0x123, data: [0xde, 0xad])) == "t1232DEAD")
        #expect(SLCANCodec.line(for: CANFrame(id: 0x18DAF110, extended: true, data: [])) == "T18DAF1100")
        #expect(SLCANCodec.line(for: CANFrame(id: 0x7DF, remote: true, data: [0, 0, 0])) == "r7DF3")
        #expect(SLCANCodec.line(for: CANFrame(id: 0x7DF, extended: true, remote: true, data: [])) == "R000007DF0")
        #expect(SLCANCodec.line(for: CANFrame(id: 0x1, fd: true, data: [UInt8](repeating: 1, count: 16)))
                == "d001A" + String(repeating: "01", count: 16))
        #expect(SLCANCodec.line(for: CANFrame(id: 0x1, extended: true, fd: true, bitRateSwitch: true, data: [9]))
                == "B00000001109")
        for frame in [CANFrame(id: 0x5A5, data: [1, 2, 3]), CANFrame(id: 0x1ABCDEF, extended: true, fd: true, data: [UInt8](repeating: 3, count: 48))] {
            var bytes: [UInt8] = []
            SLCANCodec.appendFrame(frame, to: &bytes)
            #expect(bytes.last == 0x0D)
            #expect(SLCANCodec.parse(bytes.dropLast(), receivedAt: 0) == .frame(frame))
        }
    }

    @Test("commands and bit rate codes follow the Lawicel table")
    func encodesCommands() {
        #expect(SLCANCommand.bitrate(SLCANBitrate.nominalCode(for: 500_000)!).bytes == Array("S6\r".utf8))
        #expect(SLCANBitrate.nominalCode(for: 10_000) == 0)
        #expect(SLCANBitrate.nominalCode(for: 83_333) == 9)
        #expect(SLCANBitrate.nominalCode(for: 1_000_000) == 8)
        #expect(SLCANBitrate.nominalCode(for: 123_456) == nil)
        #expect(SLCANBitrate.dataCode(for: 2_000_000) == 2)
        #expect(SLCANCommand.openListenOnly.bytes == Array("L\r".utf8))
        #expect(SLCANCommand.timestamps(true).bytes == Array("Z1\r".utf8))
    }

    @Test("the line reader splits on CR, treats BEL as a refusal, skips LF, and bounds lines")
    func splitsLines() {
        var reader = SLCANLineReader()
        var items: [SLCANLineReader.Item] = []
        reader.feed(Array("t12".utf8)) { items.append($0) }
        #expect(items.isEmpty)
        reader.feed(Array("31AA\r\n\u{7}\rV1013\r".utf8)) { items.append($0) }
        #expect(items == [.line(Array("t1231AA".utf8)), .refusal, .line([]), .line(Array("V1013".utf8))])

        items.removeAll()
        let long = [UInt8](repeating: UInt8(ascii: "A"), count: 5000)
        reader.feed(long + [0x0D] + Array("t0000\r".utf8)) { items.append($0) }
        #expect(items.count == 2)
        if case .overlong(let start) = items[0] { #expect(start.count == SLCANCodec.maxLineLength) } else {
            Issue.record("expected an overlong item, got \(items[0])")
        }
        #expect(items[1] == .line(Array("t0000".utf8)))
        #expect(reader.discardedBytes == 5000 - SLCANCodec.maxLineLength)
    }
}
