/// Why an input was dropped instead of forwarded: the value the tunnel counts and logs
/// (once per kind, rate limited). Never an error: bad input must not stop a tunnel.
public enum CANMalformation: Equatable, Sendable {
    /// An MQTT payload shorter than the 9-byte header (timestamp and flags).
    case payloadTooShort(Int)
    /// An MQTT payload longer than 9 + 64 bytes.
    case payloadTooLong(Int)
    /// A data length no classic (0-8) or FD (0-8, 12, 16, 20, 24, 32, 48, 64) frame has.
    case invalidDataLength(Int, fd: Bool)
    /// A topic whose last level is not a decimal number (the text is shortened).
    case invalidID(CANInputSample)
    /// An id too large for its frame format.
    case idOutOfRange(UInt32, extended: Bool)
    /// A remote request flagged as CAN FD, which has no remote frames.
    case remoteFD
    /// A line from an SLCAN adapter that is no reply and no frame (the text is shortened).
    case slcanGarbage(CANInputSample)

    /// The counter and log kind this falls under.
    public var kind: CANMalformationKind {
        switch self {
        case .payloadTooShort: return .payloadTooShort
        case .payloadTooLong: return .payloadTooLong
        case .invalidDataLength, .remoteFD: return .invalidLength
        case .invalidID, .idOutOfRange: return .invalidID
        case .slcanGarbage: return .slcanGarbage
        }
    }

    /// One line for the log.
    public var description: String {
        switch self {
        case .payloadTooShort(let count):
            return "payload of " + String(count) + " bytes is shorter than the 9-byte header"
        case .payloadTooLong(let count):
            return "payload of " + String(count) + " bytes is longer than 9 + 64"
        case .invalidDataLength(let count, let fd):
            return String(count) + " data bytes is not a valid " + (fd ? "CAN FD" : "classic CAN") + " length"
        case .invalidID(let sample):
            return "topic level \"" + sample.description + "\" is not a decimal CAN id"
        case .idOutOfRange(let id, let extended):
            return "id " + String(id) + " is out of range for " + (extended ? "an extended" : "a standard") + " frame"
        case .remoteFD:
            return "a remote request cannot be a CAN FD frame"
        case .slcanGarbage(let sample):
            return "unparseable SLCAN line \"" + sample.description + "\""
        }
    }

    /// `bytes` cut to a length fit for a log line, with control bytes shown as `?`.
    public static func sample(_ bytes: ArraySlice<UInt8>) -> CANInputSample {
        CANInputSample(bytes)
    }
}

/// The kinds of malformed input the tunnel counts separately (keys of the `malformed` stats).
public enum CANMalformationKind: Int, CaseIterable {
    case payloadTooShort
    case payloadTooLong
    case invalidLength
    case invalidID
    case slcanGarbage

    /// The key in the stats JSON.
    public var name: String {
        switch self {
        case .payloadTooShort: return "payload_too_short"
        case .payloadTooLong: return "payload_too_long"
        case .invalidLength: return "invalid_length"
        case .invalidID: return "invalid_id"
        case .slcanGarbage: return "slcan_garbage"
        }
    }
}
