import Runtime

/// Frame lines from an SLCAN adapter:
///
/// | first | frame | id digits | data |
/// |---|---|---|---|
/// | `t` / `T` | classic data, standard / extended | 3 / 8 | DLC 0-8 |
/// | `r` / `R` | classic remote request | 3 / 8 | none (DLC is the requested length) |
/// | `d` / `D` | CAN FD without bit rate switch | 3 / 8 | DLC 0-F (9 = 12 ... F = 64 bytes) |
/// | `b` / `B` | CAN FD with bit rate switch | 3 / 8 | as `d` |
///
/// then optionally 4 hex digits of adapter timestamp (milliseconds, wraps at 60000) when
/// `Z1` is on. Whether they are there follows from the DLC, so no mode needs tracking; the
/// frame keeps the gateway's own wall-clock stamp, which the adapter's cannot replace.
enum SLCANFrameParser {
    static func parse(_ line: ArraySlice<UInt8>, receivedAt: Int64) -> CANFrame? {
        guard let kind = line.first else { return nil }
        var extended = false, remote = false, fd = false, brs = false
        switch kind {
        case UInt8(ascii: "t"): break
        case UInt8(ascii: "T"): extended = true
        case UInt8(ascii: "r"): remote = true
        case UInt8(ascii: "R"): remote = true; extended = true
        case UInt8(ascii: "d"): fd = true
        case UInt8(ascii: "D"): fd = true; extended = true
        case UInt8(ascii: "b"): fd = true; brs = true
        case UInt8(ascii: "B"): fd = true; brs = true; extended = true
        default: return nil
        }
        let idDigits = extended ? 8 : 3
        let idStart = line.startIndex + 1
        let dlcIndex = idStart + idDigits
        guard line.count >= 1 + idDigits + 1, let id = CANHex.number(line[idStart..<dlcIndex]),
              id <= (extended ? CANFrame.maxExtendedID : CANFrame.maxStandardID),
              let dlc = Hex.value(of: line[dlcIndex]) else { return nil }
        // Classic DLC 9-15 means 8 bytes on the wire, but no adapter sends it: reject, so a
        // corrupted line cannot pass as a frame.
        if !fd && dlc > 8 { return nil }
        guard let length = CANFrame.length(forDLC: dlc, fd: fd) else { return nil }
        let dataStart = dlcIndex + 1
        let dataDigits = remote ? 0 : length * 2
        let rest = line.endIndex - dataStart - dataDigits
        guard rest == 0 || rest == 4 else { return nil }
        if rest == 4 {
            guard let stamp = CANHex.number(line[(line.endIndex - 4)...]), stamp < 60_000 else { return nil }
        }
        let data: CANFrameData
        if remote {
            data = CANFrameData(repeating: 0, count: length)
        } else {
            guard let parsed = CANHex.frameData(line[dataStart..<(dataStart + dataDigits)]) else { return nil }
            data = parsed
        }
        return CANFrame(id: id, extended: extended, remote: remote, fd: fd, bitRateSwitch: brs,
                        data: data, timestamp: receivedAt)
    }
}
