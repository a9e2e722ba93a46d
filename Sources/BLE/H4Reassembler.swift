/// Splits an H4 byte stream (`type | header | payload`, as on an HCI UART and as a raw HCI
/// socket delivers each packet) into packets. A stream can cut packets anywhere; a socket
/// gives one whole packet per read: both go through here, so both transports run the same
/// code above.
///
/// A byte that is no packet type, or a packet longer than the bound, cannot be framed: the
/// byte is dropped and counted (`resyncBytes`) and framing resumes at the next byte.
public struct H4Reassembler {
    /// H4 packet indicators.
    public enum PacketType: UInt8 {
        case command = 0x01, acl = 0x02, sco = 0x03, event = 0x04, iso = 0x05
    }

    /// Largest ACL payload accepted (LE controllers use 27..251; 1021 is BR/EDR's DH5).
    public static let maxACLPayload = 1024
    /// Bytes held while a packet is incomplete: one maximal ACL packet and a read's worth.
    public static let capacity = 8192

    private var pending: [UInt8] = []
    /// Bytes dropped because they could not start a packet.
    public private(set) var resyncBytes = 0
    /// Complete packets delivered.
    public private(set) var packets = 0

    public init() { pending.reserveCapacity(H4Reassembler.capacity) }

    /// Bytes waiting for the rest of their packet.
    public var pendingCount: Int { pending.count }

    /// Forgets a partial packet (after the transport reopened).
    public mutating func reset() { pending.removeAll(keepingCapacity: true) }

    /// Feeds `bytes`; calls `body` with each complete packet's type and bytes after the
    /// indicator (event: code, length, parameters).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (PacketType, ArraySlice<UInt8>) -> Void) {
        pending.append(contentsOf: bytes)
        var index = 0
        let count = pending.count
        while index < count {
            guard let type = PacketType(rawValue: pending[index]) else {
                index += 1
                resyncBytes += 1
                continue
            }
            let headerLength: Int
            switch type {
            case .event: headerLength = 2
            case .acl, .iso: headerLength = 4
            case .command, .sco: headerLength = 3
            }
            guard index + 1 + headerLength <= count else { break }
            let header = index + 1
            let payloadLength: Int
            switch type {
            case .event: payloadLength = Int(pending[header + 1])
            case .acl: payloadLength = Int(pending[header + 2]) | Int(pending[header + 3]) << 8
            case .iso: payloadLength = (Int(pending[header + 2]) | Int(pending[header + 3]) << 8) & 0x3FFF
            case .command, .sco: payloadLength = Int(pending[header + 2])
            }
            if payloadLength > H4Reassembler.maxACLPayload {
                index += 1
                resyncBytes += 1
                continue
            }
            let end = header + headerLength + payloadLength
            guard end <= count else { break }
            packets += 1
            body(type, pending[header..<end])
            index = end
        }
        if index >= count {
            pending.removeAll(keepingCapacity: true)
        } else if index > 0 {
            pending.removeFirst(index)
        }
        if pending.count > H4Reassembler.capacity {
            // Cannot happen with the length bound above; kept so the buffer stays bounded.
            resyncBytes += pending.count
            pending.removeAll(keepingCapacity: true)
        }
    }
}
