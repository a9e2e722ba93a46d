import SerialPort

/// Everything the Benchlab module can fail with. A device failure never stops the service:
/// it is logged, counted in the device's stats and answered with a close and a retry.
public enum BenchlabError: Error, Equatable {
    /// The serial port failed (not found, busy, unplugged).
    case port(SerialPortError)
    /// No byte of the reply to `opcode` arrived in time.
    case timeout(opcode: String)
    /// The reply to `opcode` stopped short of the `expected` bytes.
    case shortReply(opcode: String, expected: Int, received: Int)
    /// More bytes than the reply to `opcode` has arrived: the stream is out of step.
    case overlongReply(opcode: String, expected: Int, received: Int)
    /// The device answered, but not as a Benchlab does (another gadget on ST's USB IDs).
    case notABenchlab(String)
    /// A sensor frame or vendor record failed a length or plausibility check.
    case malformedFrame(String)
    /// A setting cannot work (a topic template with a wildcard, ...).
    case invalidSetting(String)

    /// One line for a log or a console.
    public var description: String {
        switch self {
        case .port(let error):
            return error.description
        case .timeout(let opcode):
            return "no reply to " + opcode
        case .shortReply(let opcode, let expected, let received):
            return "short reply to " + opcode + ": " + String(received) + " of " + String(expected) + " bytes"
        case .overlongReply(let opcode, let expected, let received):
            return "overlong reply to " + opcode + ": " + String(received) + " bytes, expected " + String(expected)
        case .notABenchlab(let reason):
            return "not a Benchlab: " + reason
        case .malformedFrame(let reason):
            return "malformed frame: " + reason
        case .invalidSetting(let reason):
            return reason
        }
    }
}
