/// One packet of the mgmt channel, command or event: `{le16 code, le16 index, le16 length}`
/// then `length` parameter bytes. The kernel hands over exactly one packet per read and
/// takes one per write, so there is no stream to reassemble.
public struct MgmtPacket: Equatable {
    /// The command code (host to kernel) or event code (kernel to host).
    public var code: UInt16
    /// The controller (`hci<index>`), or 0xFFFF for none.
    public var index: UInt16
    public var parameters: ArraySlice<UInt8>

    public static let headerSize = 6
    /// The index of packets about no controller (HCI_DEV_NONE).
    public static let noController: UInt16 = 0xFFFF

    public init(code: UInt16, index: UInt16, parameters: ArraySlice<UInt8>) {
        self.code = code
        self.index = index
        self.parameters = parameters
    }

    /// Parses one packet; nil when it is shorter than its header or its length field does
    /// not match the bytes that came (a truncated or padded packet is not trusted).
    public static func parse(_ bytes: ArraySlice<UInt8>) -> MgmtPacket? {
        guard bytes.count >= headerSize else { return nil }
        let length = Int(bytes.unsignedLE(4, 2))
        guard bytes.count == headerSize + length else { return nil }
        return MgmtPacket(code: UInt16(bytes.unsignedLE(0, 2)), index: UInt16(bytes.unsignedLE(2, 2)),
                          parameters: bytes.dropFirst(headerSize))
    }

    /// The packet's bytes. Parameters longer than a le16 can say are a programmer error.
    public var bytes: [UInt8] {
        precondition(parameters.count <= 0xFFFF, "mgmt parameters longer than 65535 bytes")
        var out: [UInt8] = []
        out.reserveCapacity(MgmtPacket.headerSize + parameters.count)
        for value in [code, index, UInt16(parameters.count)] {
            out.append(UInt8(value & 0xFF))
            out.append(UInt8(value >> 8))
        }
        out.append(contentsOf: parameters)
        return out
    }
}
