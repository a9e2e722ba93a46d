// modules: CAN
// Bytes from an SLCAN adapter, split into lines and parsed as the bus reader does. Nothing
// may trap, lines stay bounded, and every frame parsed must encode to a line that parses
// back to the same frame.
import CAN

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var reader = SLCANLineReader()
    reader.feed(UnsafeRawBufferPointer(start: data, count: size)) { item in
        switch item {
        case .line(let line):
            precondition(line.count <= SLCANCodec.maxLineLength, "line longer than the bound")
            guard let reply = SLCANCodec.parse(line[...], receivedAt: 1) else {
                // Garbage is reported through the ring as an inline sample: it must stay bounded.
                let sample = CANMalformation.sample(line[...])
                precondition(sample.description.utf8.count <= CANInputSample.limit + 3, "sample longer than the bound")
                return
            }
            if case .frame(let frame) = reply {
                precondition(frame.problem == nil, "parsed an impossible frame")
                var encoded: [UInt8] = []
                SLCANCodec.appendFrame(frame, to: &encoded)
                precondition(encoded.last == 0x0D)
                precondition(SLCANCodec.parse(encoded.dropLast(), receivedAt: 1) == .frame(frame), "frame did not round-trip")
                _ = CANPayloadCodec.encode(frame)
            }
        case .refusal:
            break
        case .overlong(let start):
            precondition(start.count == SLCANCodec.maxLineLength)
            precondition(CANMalformation.sample(start[...]).isTruncated, "an overlong line's sample is not marked cut")
        }
    }
    return 0
}
