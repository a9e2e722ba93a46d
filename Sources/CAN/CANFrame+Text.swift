import Runtime

extension CANFrame {
    /// Parses cansend's syntax: `123#DEADBEEF` (standard), `12345678#00` (8 id digits:
    /// extended), `123#R` or `123#R4` (remote, optional length), `123##1112233` (CAN FD; the
    /// digit after `##` is the flags nibble, 1 = bit rate switch). Data bytes may be
    /// separated by dots (`11.22.33`). Nil when the text is not a valid frame.
    public init?(text: String) {
        let bytes = Array(text.utf8)
        guard let hash = bytes.firstIndex(of: UInt8(ascii: "#")), hash == 3 || hash == 8,
              let id = CANHex.number(bytes[0..<hash]) else { return nil }
        let extended = hash == 8
        var rest = bytes[(hash + 1)...]
        var fd = false, brs = false, remote = false
        var data = CANFrameData()
        if rest.first == UInt8(ascii: "#") {
            rest = rest.dropFirst()
            guard let flagDigit = rest.first, let flags = Hex.value(of: flagDigit) else { return nil }
            fd = true
            brs = flags & 1 != 0
            rest = rest.dropFirst()
        } else if rest.first == UInt8(ascii: "R") || rest.first == UInt8(ascii: "r") {
            remote = true
            rest = rest.dropFirst()
            var length = 0
            if let digit = rest.first {
                guard rest.count == 1, let value = Hex.value(of: digit), value <= 8 else { return nil }
                length = Int(value)
                rest = rest.dropFirst()
            }
            data = CANFrameData(repeating: 0, count: length)
        }
        if !remote {
            let digits = rest.filter { $0 != UInt8(ascii: ".") }
            guard let parsed = CANHex.frameData(digits[...]) else { return nil }
            data = parsed
        }
        self.init(id: id, extended: extended, remote: remote, fd: fd, bitRateSwitch: brs, data: data)
        if problem != nil { return nil }
    }
}
