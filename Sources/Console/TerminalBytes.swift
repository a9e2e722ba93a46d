/// The control bytes and sequences the console speaks.
enum TerminalBytes {
    static let endOfText: UInt8 = 0x03
    static let bell: UInt8 = 0x07
    static let backspace: UInt8 = 0x08
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let negativeAcknowledge: UInt8 = 0x15
    static let escape: UInt8 = 0x1B
    static let delete: UInt8 = 0x7F
    /// A raw terminal does not turn LF into CR LF (no OPOST), so we send both.
    static let newline: [UInt8] = [0x0D, 0x0A]
    static let clearToEndOfLine: [UInt8] = [0x1B, UInt8(ascii: "["), UInt8(ascii: "K")]

    /// `text` as UTF-8 with every bare LF turned into CR LF.
    static func withCarriageReturns(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 8)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == lineFeed && previous != carriageReturn { bytes.append(carriageReturn) }
            bytes.append(byte)
            previous = byte
        }
        return bytes
    }
}
