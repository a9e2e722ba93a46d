/// The request bytes a gateway sends. A request is this one byte (no framing, no checksum);
/// the reply is a fixed number of bytes, or nothing at all for a request the device did not
/// understand, so every exchange ends on its byte count or on a timeout.
public enum BenchlabOpcode: UInt8, Equatable {
    case welcome = 0x00
    case readSensors = 0x01
    case readName = 0x03
    case readUID = 0x0D
    case readVendorData = 0x0E

    /// Upper-case name as the firmware documentation writes it, for logs.
    public var name: String {
        switch self {
        case .welcome: return "WELCOME"
        case .readSensors: return "READ_SENSORS"
        case .readName: return "READ_NAME"
        case .readUID: return "READ_UID"
        case .readVendorData: return "READ_VENDOR_DATA"
        }
    }

    /// Reply lengths that do not depend on the model or firmware.
    public static let vendorDataLength = 3
    public static let uidLength = 12
    public static let nameLength = 32
    /// The welcome text every firmware starts its welcome reply with.
    public static let welcomePrefix: [UInt8] = Array("BENCHLAB".utf8)
}
