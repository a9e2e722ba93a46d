/// An event from the kernel's mgmt channel, parsed; the one dispatcher of the codec. Events
/// Switchyard does not act on are `.other`; a known event whose parameters do not fit its
/// layout is malformed (nil), to be dropped and counted.
public enum MgmtEvent: Equatable {
    /// `{le16 opcode, u8 status, return parameters}`: a command finished.
    case commandComplete(opcode: UInt16, status: MgmtStatus, data: ArraySlice<UInt8>)
    /// `{le16 opcode, u8 status}`: an early status; a failure also finishes the command.
    case commandStatus(opcode: UInt16, status: MgmtStatus)
    /// `{u8 store_hint, key (36)}`: pairing produced a long term key.
    case newLongTermKey(storeHint: Bool, key: MgmtLongTermKey)
    /// `{u8 store_hint, random_addr[6], key (23)}`: the device's identity resolving key.
    case newIdentityResolvingKey(storeHint: Bool, randomAddress: BLEAddress, key: MgmtIdentityResolvingKey)
    /// `{addr_info}`: someone else unpaired the device.
    case deviceUnpaired(MgmtAddress)
    /// `{addr_info, u8 status}`: pairing or encryption failed with the device.
    case authenticationFailed(MgmtAddress, status: MgmtStatus)
    /// `{addr_info, u8 confirm_hint, le32 value}`: the kernel asks whether to go on pairing;
    /// hint 1 is Just Works (no number to compare).
    case userConfirmRequest(MgmtAddress, justWorks: Bool)
    /// No parameters; the packet's index names it: an adapter appeared (again), set up by the
    /// kernel and knowing nothing of ours (keys, bondable, IO capability).
    case indexAdded
    /// An event this gateway does not act on.
    case other(code: UInt16)

    /// The event in `packet`; nil when its parameters are malformed.
    public static func parse(_ packet: MgmtPacket) -> MgmtEvent? {
        let p = packet.parameters
        switch packet.code {
        case MgmtEventCode.commandComplete:
            guard p.count >= 3 else { return nil }
            return .commandComplete(opcode: UInt16(p.unsignedLE(0, 2)), status: MgmtStatus(p.byte(2)), data: p.dropFirst(3))
        case MgmtEventCode.commandStatus:
            guard p.count == 3 else { return nil }
            return .commandStatus(opcode: UInt16(p.unsignedLE(0, 2)), status: MgmtStatus(p.byte(2)))
        case MgmtEventCode.newLongTermKey:
            guard p.count == 1 + MgmtLongTermKey.wireSize,
                  let key = MgmtLongTermKey(wire: p, at: 1) else { return nil }
            return .newLongTermKey(storeHint: p.byte(0) != 0, key: key)
        case MgmtEventCode.newIdentityResolvingKey:
            guard p.count == 7 + MgmtIdentityResolvingKey.wireSize,
                  let key = MgmtIdentityResolvingKey(wire: p, at: 7) else { return nil }
            let start = p.startIndex + 1
            return .newIdentityResolvingKey(storeHint: p.byte(0) != 0, randomAddress: BLEAddress(wire: p[start..<start + 6]),
                                            key: key)
        case MgmtEventCode.deviceUnpaired:
            guard p.count == MgmtAddress.wireSize, let device = MgmtAddress(wire: p) else { return nil }
            return .deviceUnpaired(device)
        case MgmtEventCode.authenticationFailed:
            guard p.count == MgmtAddress.wireSize + 1, let device = MgmtAddress(wire: p) else { return nil }
            return .authenticationFailed(device, status: MgmtStatus(p.byte(7)))
        case MgmtEventCode.indexAdded:
            return .indexAdded
        case MgmtEventCode.userConfirmRequest:
            guard p.count == MgmtAddress.wireSize + 5, let device = MgmtAddress(wire: p) else { return nil }
            return .userConfirmRequest(device, justWorks: p.byte(7) != 0)
        default:
            return .other(code: packet.code)
        }
    }
}
