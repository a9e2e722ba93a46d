import CSerialPort

/// How a serial line paces its sender. Benchlab and SLCAN adapters use `.none`.
public enum SerialFlowControl: Equatable {
    case none
    /// Software flow control: XON/XOFF characters in the data stream.
    case xonXoff
    /// Hardware flow control on the RTS/CTS lines.
    case rtsCts
    /// Hardware flow control on the DTR/DSR lines.
    case dtrDsr

    /// libserialport's value for this mode.
    var libraryValue: sp_flowcontrol {
        switch self {
        case .none: return SP_FLOWCONTROL_NONE
        case .xonXoff: return SP_FLOWCONTROL_XONXOFF
        case .rtsCts: return SP_FLOWCONTROL_RTSCTS
        case .dtrDsr: return SP_FLOWCONTROL_DTRDSR
        }
    }

    /// Lower-case name for logs and error messages.
    public var name: String {
        switch self {
        case .none: return "none"
        case .xonXoff: return "xon/xoff"
        case .rtsCts: return "rts/cts"
        case .dtrDsr: return "dtr/dsr"
        }
    }
}
