/// The kernel mgmt API's command and event codes Switchyard uses (BlueZ `doc/mgmt-api.txt`,
/// Linux `include/net/bluetooth/mgmt.h`). Plain numbers: the wire carries them as le16.
public enum MgmtOpcode {
    public static let setPowered: UInt16 = 0x0005
    public static let setBondable: UInt16 = 0x0009
    public static let loadLongTermKeys: UInt16 = 0x0013
    public static let setIOCapability: UInt16 = 0x0018
    public static let pairDevice: UInt16 = 0x0019
    public static let cancelPairDevice: UInt16 = 0x001A
    public static let unpairDevice: UInt16 = 0x001B
    public static let userConfirmReply: UInt16 = 0x001C
    public static let userConfirmNegativeReply: UInt16 = 0x001D
    public static let loadIdentityResolvingKeys: UInt16 = 0x0030
}

/// Event codes of the kernel's mgmt channel.
public enum MgmtEventCode {
    public static let commandComplete: UInt16 = 0x0001
    public static let commandStatus: UInt16 = 0x0002
    public static let indexAdded: UInt16 = 0x0004
    public static let newLongTermKey: UInt16 = 0x000A
    public static let userConfirmRequest: UInt16 = 0x000F
    public static let authenticationFailed: UInt16 = 0x0011
    public static let deviceUnpaired: UInt16 = 0x0016
    public static let newIdentityResolvingKey: UInt16 = 0x0018
}
