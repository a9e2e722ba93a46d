import Store

/// What the gateway can show or type while pairing (`ble.io_capability`), in mgmt's
/// numbering. A headless gateway has neither display nor keyboard: NoInputNoOutput, which
/// pairs "just works" (unauthenticated keys) with no passkey to confirm.
public enum BLEIOCapability: UInt8, ConfigChoice, Sendable {
    case displayOnly = 0
    case displayYesNo = 1
    case keyboardOnly = 2
    case noInputNoOutput = 3
    case keyboardDisplay = 4

    public static var configChoices: [BLEIOCapability] {
        [.displayOnly, .displayYesNo, .keyboardOnly, .noInputNoOutput, .keyboardDisplay]
    }

    public var configName: String {
        switch self {
        case .displayOnly: return "DisplayOnly"
        case .displayYesNo: return "DisplayYesNo"
        case .keyboardOnly: return "KeyboardOnly"
        case .noInputNoOutput: return "NoInputNoOutput"
        case .keyboardDisplay: return "KeyboardDisplay"
        }
    }
}
