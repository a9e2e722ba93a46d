/// The BCMS interface of `bcms.capnp` as it appears on the wire: the ids the schema compiler
/// derives from the file id `0x955ea5acce24dc79` and the names, the method ordinals, and the
/// layouts of the params and results structs (data words, pointers, field positions).
enum BCMSCapnpSchema {
    /// `interface BCMS`.
    static let interfaceID: UInt64 = 0xa1e9_d9c7_74c2_3b6a
    /// `struct BCMSDeviceInfo`: 1 data word (approved bit 0, paired bit 1), 2 pointers
    /// (address, name).
    static let deviceInfoID: UInt64 = 0x8d8c_2225_c2cd_b33b
    static let deviceInfoData = 1, deviceInfoPointers = 2
    /// `enum BCMSWorkingMode`: any 0, approved 1.
    static let workingModeID: UInt64 = 0xc452_1590_dc09_4222

    /// The methods by ordinal.
    enum Method: UInt16 {
        case list = 0, approve = 1, remove = 2, mode = 3, setMode = 4, pair = 5, unpair = 6, isPaired = 7

        /// The name the `bcms` command knows it by.
        var commandName: String {
            switch self {
            case .list: return "list"
            case .approve: return "approve"
            case .remove: return "remove"
            case .mode: return "mode"
            case .setMode: return "setMode"
            case .pair: return "pair"
            case .unpair: return "unpair"
            case .isPaired: return "isPaired"
            }
        }
    }

    /// `BCMSWorkingMode` values.
    enum WorkingMode: UInt16 {
        case any = 0
        case approved = 1
    }

    // Params: list (onlyApproved bit 0 of 1 data word); approve, remove, pair, unpair,
    // isPaired (address, pointer 0); setMode (mode, u16 0). Results: list (devices pointer 0,
    // errors pointer 1); mode (mode u16 0 of 1 data word); the rest (status bit 0 of 1 data
    // word, errors pointer 0).
    static let statusResultData = 1, statusResultPointers = 1
    static let listResultData = 0, listResultPointers = 2
    static let modeResultData = 1, modeResultPointers = 0
}
