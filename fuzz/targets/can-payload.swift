// modules: CAN
// The MQTT side of the CAN tunnel: a topic (the input's first line) and a payload (the
// rest), as a broker hands them over. Decoding must never trap, and whatever decodes to a
// frame must encode back to the same payload and decode to the same frame.
import CAN

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let newline = input.firstIndex(of: 0x0A) ?? input.count
    let topic = String(decoding: input[0..<newline], as: UTF8.self)
    let payload = newline < input.count ? Array(input[(newline + 1)...]) : []

    // Whatever the topic, the payload decoder sees it with a few interesting ids too.
    for id: UInt32 in [0, 0x7FF, 0x800, 0x1FFF_FFFF] { check(payload, id: id) }
    if case .id(let id) = CANTopics.id(fromTopic: topic) {
        precondition(id <= CANFrame.maxExtendedID, "topic id out of range accepted")
        check(payload, id: id)
    }
    return 0
}

func check(_ payload: [UInt8], id: UInt32) {
    switch CANPayloadCodec.decode(payload, id: id) {
    case .frame(let frame):
        precondition(frame.problem == nil, "decoded an impossible frame")
        precondition(payload.count >= CANPayloadCodec.headerSize && payload.count <= CANPayloadCodec.maxSize)
        // The inline data holds exactly the payload's data bytes.
        precondition(frame.data.bytes == Array(payload[CANPayloadCodec.headerSize...]), "data bytes differ")
        let encoded = CANPayloadCodec.encode(frame)
        // The ESI bit survives only on FD frames; every other byte must round-trip.
        var expected = payload
        if !frame.isFD { expected[8] &= ~CANPayloadCodec.errorStateFlag }
        expected[8] &= 0x0F
        precondition(encoded == expected, "payload did not round-trip")
        precondition(CANPayloadCodec.decode(encoded, id: id) == .frame(frame), "frame did not round-trip")
        _ = frame.description
    case .malformed(let malformation):
        _ = malformation.description
        _ = malformation.kind
    }
}
