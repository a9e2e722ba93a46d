/// The MQTT payload of one frame, as PyMQTT2CAN and SavvyCAN put it on the wire:
///
/// | bytes | meaning |
/// |---|---|
/// | 0-7 | timestamp, microseconds since the Unix epoch, UInt64 little-endian |
/// | 8 | flags: 0x01 extended, 0x02 remote, 0x04 CAN FD, 0x08 error state indicator |
/// | 9... | data bytes (no length byte: the length is what is left) |
///
/// The id is not in the payload: it is the topic's last level (see `CANTopics`).
public enum CANPayloadCodec {
    /// Timestamp (8 bytes) and flags (1 byte).
    public static let headerSize = 9
    /// The header and 64 CAN FD data bytes.
    public static let maxSize = headerSize + CANFrame.maxFDLength

    /// The frame has a 29-bit id.
    public static let extendedFlag: UInt8 = 0x01
    /// A remote transmission request.
    public static let remoteFlag: UInt8 = 0x02
    /// A CAN FD frame.
    public static let fdFlag: UInt8 = 0x04
    /// The seed tool's ESI bit; SavvyCAN reads 0x08 as "error frame" but, like every
    /// receiver we know, acts only on the extended bit. We set it only on FD frames.
    public static let errorStateFlag: UInt8 = 0x08

    /// The payload for `frame`.
    public static func encode(_ frame: CANFrame) -> [UInt8] {
        var payload = [UInt8](repeating: 0, count: headerSize + frame.data.count)
        let stamp = UInt64(bitPattern: frame.timestamp)
        for index in 0..<8 { payload[index] = UInt8(truncatingIfNeeded: stamp >> UInt64(index * 8)) }
        var flags: UInt8 = 0
        if frame.isExtended { flags |= extendedFlag }
        if frame.isRemote { flags |= remoteFlag }
        if frame.isFD {
            flags |= fdFlag
            if frame.errorStateIndicator { flags |= errorStateFlag }
        }
        payload[8] = flags
        for index in 0..<frame.data.count { payload[headerSize + index] = frame.data[index] }
        return payload
    }

    /// The frame `payload` describes for arbitration id `id`, or why it must be dropped:
    /// too short, too long, a data length its kind of frame cannot have, an id too large for
    /// its format, or a remote request flagged as FD.
    public static func decode(_ payload: [UInt8], id: UInt32) -> CANDecoding {
        guard payload.count >= headerSize else { return .malformed(.payloadTooShort(payload.count)) }
        guard payload.count <= maxSize else { return .malformed(.payloadTooLong(payload.count)) }
        var stamp: UInt64 = 0
        for index in 0..<8 { stamp |= UInt64(payload[index]) << UInt64(index * 8) }
        let flags = payload[8]
        let fd = flags & fdFlag != 0
        let frame = CANFrame(
            id: id, extended: flags & extendedFlag != 0, remote: flags & remoteFlag != 0, fd: fd,
            errorStateIndicator: fd && flags & errorStateFlag != 0,
            data: CANFrameData(payload[headerSize...]), timestamp: Int64(bitPattern: stamp))
        if let problem = frame.problem { return .malformed(problem) }
        return .frame(frame)
    }
}

/// What decoding an input produced: a frame to forward, or the reason it was dropped.
public enum CANDecoding: Equatable {
    case frame(CANFrame)
    case malformed(CANMalformation)
}
