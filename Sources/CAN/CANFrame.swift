import Runtime

/// One CAN or CAN FD frame as the gateway moves it between a bus and MQTT.
///
/// A remote (RTR) frame carries no data on the wire, only a length; here its `data` holds
/// that many zero bytes, which is also how PyMQTT2CAN's python-can side puts it on MQTT, so
/// the requested length survives the tunnel.
public struct CANFrame: Equatable, Sendable {
    /// The arbitration id: 11 bits for a standard frame, 29 bits for an extended one.
    public var id: UInt32
    public var isExtended: Bool
    /// A remote transmission request (classic frames only).
    public var isRemote: Bool
    /// A CAN FD frame (up to 64 data bytes).
    public var isFD: Bool
    /// CAN FD: the data phase used the second (faster) bit rate.
    public var bitRateSwitch: Bool
    /// CAN FD: the sender was error passive.
    public var errorStateIndicator: Bool
    /// The data bytes, inline (no heap): a frame is a plain value end to end.
    public var data: CANFrameData
    /// Microseconds since the Unix epoch when the gateway read the frame (or the sender's
    /// stamp for a frame from MQTT).
    public var timestamp: Int64

    /// A frame; `data` holds zero bytes of the requested length for a remote frame.
    public init(
        id: UInt32, extended: Bool = false, remote: Bool = false, fd: Bool = false,
        bitRateSwitch: Bool = false, errorStateIndicator: Bool = false,
        data: CANFrameData = CANFrameData(), timestamp: Int64 = 0
    ) {
        self.id = id
        self.isExtended = extended
        self.isRemote = remote
        self.isFD = fd
        self.bitRateSwitch = bitRateSwitch
        self.errorStateIndicator = errorStateIndicator
        self.data = data
        self.timestamp = timestamp
    }

    /// A frame with data from an array (at most 64 bytes), for callers off the frame path.
    public init(
        id: UInt32, extended: Bool = false, remote: Bool = false, fd: Bool = false,
        bitRateSwitch: Bool = false, errorStateIndicator: Bool = false,
        data: [UInt8], timestamp: Int64 = 0
    ) {
        self.init(id: id, extended: extended, remote: remote, fd: fd, bitRateSwitch: bitRateSwitch,
                  errorStateIndicator: errorStateIndicator, data: CANFrameData(data), timestamp: timestamp)
    }

    /// The largest 11-bit (standard) id.
    public static let maxStandardID: UInt32 = 0x7FF
    /// The largest 29-bit (extended) id.
    public static let maxExtendedID: UInt32 = 0x1FFF_FFFF
    /// Data bytes of a classic frame, at most.
    public static let maxClassicLength = 8
    /// Data bytes of a CAN FD frame, at most.
    public static let maxFDLength = 64

    /// CAN FD data lengths by DLC 0...15 (DLC 9-15 mean 12, 16, 20, 24, 32, 48, 64 bytes).
    public static let fdLengths: [Int] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]

    /// Whether a frame of this kind may carry `length` data bytes.
    public static func isValidLength(_ length: Int, fd: Bool) -> Bool {
        if length >= 0 && length <= maxClassicLength { return true }
        return fd && dlc(forLength: length) != nil
    }

    /// The DLC code for `length` data bytes (FD lengths above 8 included), or nil.
    public static func dlc(forLength length: Int) -> UInt8? {
        for (code, candidate) in fdLengths.enumerated() where candidate == length { return UInt8(code) }
        return nil
    }

    /// The data length a DLC code stands for (classic frames clamp 9-15 to 8, as ISO 11898 says).
    public static func length(forDLC dlc: UInt8, fd: Bool) -> Int? {
        guard dlc < 16 else { return nil }
        return fd ? fdLengths[Int(dlc)] : min(Int(dlc), maxClassicLength)
    }

    /// The largest id this frame's format allows.
    public var maxID: UInt32 { isExtended ? CANFrame.maxExtendedID : CANFrame.maxStandardID }

    /// What makes this frame impossible to put on a bus, or nil if it is fine.
    public var problem: CANMalformation? {
        if id > maxID { return .idOutOfRange(id, extended: isExtended) }
        if isRemote && isFD { return .remoteFD }
        if !CANFrame.isValidLength(data.count, fd: isFD) { return .invalidDataLength(data.count, fd: isFD) }
        return nil
    }

    /// candump-style text for logs and the console: `123#DEADBEEF`, `12345678#R4`, `123##1AA`.
    public var description: String {
        var text = Hex.encode(id, digits: isExtended ? 8 : 3, .upper)
        if isRemote { return text + "#R" + String(data.count) }
        if isFD {
            var flags: UInt8 = 0
            if bitRateSwitch { flags |= 1 }
            if errorStateIndicator { flags |= 2 }
            text += "##" + Hex.encode(UInt32(flags), digits: 1, .upper)
        } else {
            text += "#"
        }
        return text + Hex.encode(data, .upper)
    }
}
