import Runtime

/// SLCAN (Lawicel ASCII) lines: what an adapter's line means, and the line for a frame.
///
/// One dispatcher on the first character; frame lines are parsed by `SLCANFrameParser`.
/// Parsing never traps: anything that is not a reply or a well-formed frame is nil, which the
/// bus counts as `slcanGarbage`.
public enum SLCANCodec {
    /// The longest valid line without its CR: `B`, 8 id digits, DLC, 64 data bytes, timestamp.
    public static let maxLineLength = 1 + 8 + 1 + 128 + 4

    /// What the line `line` (without CR) from an adapter means, or nil when it is garbage.
    /// `receivedAt` (microseconds since the epoch) becomes a frame's timestamp.
    public static func parse(_ line: ArraySlice<UInt8>, receivedAt: Int64) -> SLCANReply? {
        guard let first = line.first else { return .ok }
        switch first {
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "r"), UInt8(ascii: "R"),
             UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "b"), UInt8(ascii: "B"):
            guard let frame = SLCANFrameParser.parse(line, receivedAt: receivedAt) else { return nil }
            return .frame(frame)
        case UInt8(ascii: "z"), UInt8(ascii: "Z"):
            return line.count == 1 ? .transmitted : nil
        case UInt8(ascii: "V"), UInt8(ascii: "v"):
            guard line.count <= 32, let text = printable(line.dropFirst()) else { return nil }
            return .version(text)
        case UInt8(ascii: "N"):
            guard line.count <= 32, let text = printable(line.dropFirst()) else { return nil }
            return .serialNumber(text)
        case UInt8(ascii: "F"):
            guard line.count == 3, let flags = CANHex.number(line.dropFirst()) else { return nil }
            return .status(UInt8(flags))
        default:
            return nil
        }
    }

    /// Appends the transmit line for `frame` (CR included): `t1238DEADBEEF01020304\r`.
    /// The frame must be valid (`frame.problem == nil`); a longer classic frame is cut to 8.
    public static func appendFrame(_ frame: CANFrame, to bytes: inout [UInt8]) {
        let kind: Character
        switch (frame.isFD, frame.bitRateSwitch, frame.isRemote, frame.isExtended) {
        case (true, true, _, false): kind = "b"
        case (true, true, _, true): kind = "B"
        case (true, false, _, false): kind = "d"
        case (true, false, _, true): kind = "D"
        case (false, _, true, false): kind = "r"
        case (false, _, true, true): kind = "R"
        case (false, _, false, false): kind = "t"
        case (false, _, false, true): kind = "T"
        }
        bytes.append(kind.asciiValue!)
        Hex.appendDigits(frame.id, count: frame.isExtended ? 8 : 3, .upper, to: &bytes)
        let length = frame.isFD ? frame.data.count : min(frame.data.count, CANFrame.maxClassicLength)
        let dlc = CANFrame.dlc(forLength: length) ?? 0
        bytes.append(Hex.digit(dlc, .upper))
        if !frame.isRemote {
            for byte in frame.data.prefix(length) { Hex.appendByte(byte, .upper, to: &bytes) }
        }
        bytes.append(0x0D)
    }

    /// The transmit line for `frame` as text without the CR (tests, the simulator's log).
    public static func line(for frame: CANFrame) -> String {
        var bytes: [UInt8] = []
        appendFrame(frame, to: &bytes)
        bytes.removeLast()
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func printable(_ bytes: ArraySlice<UInt8>) -> String? {
        for byte in bytes where byte < 0x20 || byte >= 0x7F { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
