/// A mgmt command to send: its code, parameters, and the device it concerns (replies that
/// carry an `addr_info` are matched on it, and one command of a kind per device is in flight).
public struct MgmtCommand: Equatable {
    public var opcode: UInt16
    public var parameters: [UInt8]
    public var device: MgmtAddress?

    public init(opcode: UInt16, parameters: [UInt8], device: MgmtAddress? = nil) {
        self.opcode = opcode
        self.parameters = parameters
        self.device = device
    }

    /// The IO capability used when pairing (3 NoInputNoOutput: "just works").
    public static func setIOCapability(_ capability: BLEIOCapability) -> MgmtCommand {
        MgmtCommand(opcode: MgmtOpcode.setIOCapability, parameters: [capability.rawValue])
    }

    /// Powers the adapter up or down. Through mgmt, not HCIDEVUP: the kernel registers its
    /// SMP channel only when an adapter known to mgmt is powered up, so an adapter set up with
    /// a bare HCIDEVUP answers every pairing with "security requested but not available".
    public static func setPowered(_ on: Bool) -> MgmtCommand {
        MgmtCommand(opcode: MgmtOpcode.setPowered, parameters: [on ? 1 : 0])
    }

    /// Bondable: pairing asks the device to hand out keys to keep (otherwise Store_Hint is 0).
    public static func setBondable(_ on: Bool) -> MgmtCommand {
        MgmtCommand(opcode: MgmtOpcode.setBondable, parameters: [on ? 1 : 0])
    }

    /// Connects to `device` and pairs; the kernel answers when pairing has finished or failed.
    public static func pair(_ device: MgmtAddress, capability: BLEIOCapability) -> MgmtCommand {
        MgmtCommand(opcode: MgmtOpcode.pairDevice, parameters: device.wire + [capability.rawValue], device: device)
    }

    /// Stops a pairing that is taking too long.
    public static func cancelPair(_ device: MgmtAddress) -> MgmtCommand {
        MgmtCommand(opcode: MgmtOpcode.cancelPairDevice, parameters: device.wire, device: device)
    }

    /// Removes the device's keys from the kernel, disconnecting it first.
    public static func unpair(_ device: MgmtAddress) -> MgmtCommand {
        MgmtCommand(opcode: MgmtOpcode.unpairDevice, parameters: device.wire + [1], device: device)
    }

    /// Answers a User Confirmation Request: yes (the pairing goes on) or no (it fails).
    public static func userConfirm(_ device: MgmtAddress, accept: Bool) -> MgmtCommand {
        MgmtCommand(opcode: accept ? MgmtOpcode.userConfirmReply : MgmtOpcode.userConfirmNegativeReply,
                    parameters: device.wire, device: device)
    }

    /// Replaces the kernel's long term keys with `keys` (it forgets them when the adapter goes).
    public static func loadLongTermKeys(_ keys: [MgmtLongTermKey]) -> MgmtCommand {
        var parameters = [UInt8(keys.count & 0xFF), UInt8(keys.count >> 8)]
        for key in keys { parameters += key.wire }
        return MgmtCommand(opcode: MgmtOpcode.loadLongTermKeys, parameters: parameters)
    }

    /// Replaces the kernel's identity resolving keys with `keys`.
    public static func loadIdentityResolvingKeys(_ keys: [MgmtIdentityResolvingKey]) -> MgmtCommand {
        var parameters = [UInt8(keys.count & 0xFF), UInt8(keys.count >> 8)]
        for key in keys { parameters += key.wire }
        return MgmtCommand(opcode: MgmtOpcode.loadIdentityResolvingKeys, parameters: parameters)
    }

    /// The packet for controller `index`.
    public func packet(index: UInt16) -> [UInt8] {
        MgmtPacket(code: opcode, index: index, parameters: parameters[...]).bytes
    }
}
