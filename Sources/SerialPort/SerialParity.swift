import CSerialPort

/// The parity bit of a serial line. Benchlab and SLCAN adapters use `.none`.
public enum SerialParity: Equatable {
    case none
    case odd
    case even
    case mark
    case space

    /// libserialport's value for this parity.
    var libraryValue: sp_parity {
        switch self {
        case .none: return SP_PARITY_NONE
        case .odd: return SP_PARITY_ODD
        case .even: return SP_PARITY_EVEN
        case .mark: return SP_PARITY_MARK
        case .space: return SP_PARITY_SPACE
        }
    }

    /// Lower-case name for logs and error messages.
    public var name: String {
        switch self {
        case .none: return "none"
        case .odd: return "odd"
        case .even: return "even"
        case .mark: return "mark"
        case .space: return "space"
        }
    }
}
