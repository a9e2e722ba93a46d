import CAN
import Testing

@Suite("MQTT payload codec (PyMQTT2CAN / SavvyCAN wire format)")
struct CANPayloadCodecTests {
    @Test("a standard frame encodes as LE microsecond stamp, flags 0, then the data")
    func encodesStandardFrame() {
        let frame = CANFrame(id: 0x7E8, data: [0x02, 0x41, 0x0C], timestamp: 0x0102_0304_0506_0708)
        #expect(CANPayloadCodec.encode(frame) == [0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x02, 0x41, 0x0C])
    }

    @Test("flags: 1 extended, 2 remote, 4 FD, 8 ESI on FD frames only")
    func encodesFlags() {
        #expect(CANPayloadCodec.encode(CANFrame(id: 0x18DAF110, extended: true, data: [1]))[8] == 0x01)
        #expect(CANPayloadCodec.encode(CANFrame(id: 0x123, remote: true, data: [0, 0]))[8] == 0x02)
        let fd = CANFrame(id: 0x123, extended: true, fd: true, errorStateIndicator: true, data: [UInt8](repeating: 7, count: 12))
        let payload = CANPayloadCodec.encode(fd)
        #expect(payload[8] == 0x0D)
        #expect(payload.count == 9 + 12)
        // ESI means nothing on a classic frame and is never set there.
        #expect(CANPayloadCodec.encode(CANFrame(id: 1, errorStateIndicator: true))[8] == 0x00)
    }

    @Test("decode inverts encode for classic, extended, remote and every FD length")
    func roundTrips() {
        var frames = [
            CANFrame(id: 0, data: [], timestamp: 1),
            CANFrame(id: 0x7FF, data: [1, 2, 3, 4, 5, 6, 7, 8], timestamp: 1_700_000_000_000_000),
            CANFrame(id: 0x1FFF_FFFF, extended: true, data: [0xFF], timestamp: -1),
            CANFrame(id: 0x100, remote: true, data: [0, 0, 0, 0], timestamp: 42),
        ]
        for length in CANFrame.fdLengths {
            frames.append(CANFrame(id: 0x555, fd: true, data: (0..<length).map { UInt8($0) }, timestamp: 7))
        }
        for frame in frames {
            #expect(CANPayloadCodec.decode(CANPayloadCodec.encode(frame), id: frame.id) == .frame(frame))
        }
    }

    @Test("payloads shorter than 9 bytes are rejected, not read past their end")
    func rejectsShortPayloads() {
        for length in 0..<9 {
            #expect(CANPayloadCodec.decode([UInt8](repeating: 0xAA, count: length), id: 1) == .malformed(.payloadTooShort(length)))
        }
    }

    @Test("payloads longer than 9 + 64 bytes are rejected")
    func rejectsLongPayloads() {
        #expect(CANPayloadCodec.decode([UInt8](repeating: 4, count: 74), id: 1) == .malformed(.payloadTooLong(74)))
        #expect(CANPayloadCodec.decode([UInt8](repeating: 0, count: 9 + 64 + 1000), id: 1) == .malformed(.payloadTooLong(1073)))
    }

    @Test("a data length its kind of frame cannot have is rejected")
    func rejectsInvalidLengths() {
        let header: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(CANPayloadCodec.decode(header + [0x00] + [UInt8](repeating: 1, count: 9), id: 1)
                == .malformed(.invalidDataLength(9, fd: false)))
        #expect(CANPayloadCodec.decode(header + [0x04] + [UInt8](repeating: 1, count: 13), id: 1)
                == .malformed(.invalidDataLength(13, fd: true)))
        #expect(CANPayloadCodec.decode(header + [0x06], id: 1) == .malformed(.remoteFD))
    }

    @Test("an id too large for its frame format is rejected")
    func rejectsOutOfRangeIDs() {
        let standard: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0x00]
        #expect(CANPayloadCodec.decode(standard, id: 0x800) == .malformed(.idOutOfRange(0x800, extended: false)))
        if case .frame = CANPayloadCodec.decode(standard, id: 0x7FF) {} else { Issue.record("0x7FF is a valid standard id") }
    }

    @Test("the id is the topic's last level in decimal, whatever the base contains")
    func parsesTopicIDs() {
        #expect(CANTopics.id(fromTopic: "can/2016") == .id(2016))
        #expect(CANTopics.id(fromTopic: "garage/car/can/s/0") == .id(0))
        #expect(CANTopics.id(fromTopic: "can/536870911") == .id(0x1FFF_FFFF))
        #expect(CANTopics.id(fromTopic: "can/536870912") == .invalid(.idOutOfRange(536_870_912, extended: true)))
        for bad in ["can/abc", "can/", "can/-1", "can/+5", "can/0x7E8", "can/99999999999", "can/12 ", "can/s", "2016x"] {
            guard case .invalid(let problem) = CANTopics.id(fromTopic: bad) else {
                Issue.record("accepted \(bad)")
                continue
            }
            #expect(problem.kind == .invalidID)
        }
    }

    @Test("server and client topics mirror each other (SavvyCAN's client side, not the seed's bug)")
    func topicLayout() throws {
        let server = try #require(CANTopics(base: "site/a/can", mode: .server))
        let client = try #require(CANTopics(base: "site/a/can", mode: .client))
        #expect(server.publishTopic(for: 2016) == "site/a/can/2016")
        #expect(server.subscription == "site/a/can/s/+")
        #expect(client.publishTopic(for: 2016) == "site/a/can/s/2016")
        #expect(client.subscription == "site/a/can/+")
        #expect(CANTopics(base: "", mode: .server) == nil)
        #expect(CANTopics(base: "can/#", mode: .server) == nil)
        #expect(CANTopics(base: "can/", mode: .server) == nil)
    }
}
