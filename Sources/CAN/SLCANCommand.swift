/// A command the gateway sends to an SLCAN adapter. Each ends with CR; the adapter answers
/// CR (done) or BEL (refused).
public enum SLCANCommand: Equatable {
    /// `O`: open the channel, normal mode.
    case open
    /// `L`: open the channel listen-only (no ACKs, no transmits).
    case openListenOnly
    /// `C`: close the channel (needed before a bit rate change).
    case close
    /// `S<n>`: nominal bit rate by code (see `SLCANBitrate`).
    case bitrate(UInt8)
    /// `Y<n>`: CAN FD data-phase bit rate by code.
    case dataBitrate(UInt8)
    /// `V`: hardware and firmware version, answered `Vhhss`.
    case version
    /// `N`: serial number, answered `Nxxxx`.
    case serialNumber
    /// `Z1`/`Z0`: append a millisecond timestamp to received frames, or not.
    case timestamps(Bool)
    /// A frame to transmit (`t`, `T`, `r`, `R`, `d`, `D`, `b`, `B`).
    case transmit(CANFrame)

    /// The bytes to write, CR included.
    public var bytes: [UInt8] {
        switch self {
        case .open: return Array("O\r".utf8)
        case .openListenOnly: return Array("L\r".utf8)
        case .close: return Array("C\r".utf8)
        case .bitrate(let code): return [UInt8(ascii: "S"), UInt8(ascii: "0") + code, 0x0D]
        case .dataBitrate(let code): return [UInt8(ascii: "Y"), UInt8(ascii: "0") + code, 0x0D]
        case .version: return Array("V\r".utf8)
        case .serialNumber: return Array("N\r".utf8)
        case .timestamps(let on): return Array((on ? "Z1\r" : "Z0\r").utf8)
        case .transmit(let frame):
            var bytes: [UInt8] = []
            SLCANCodec.appendFrame(frame, to: &bytes)
            return bytes
        }
    }
}
