/// The HCI events the scanner acts on, parsed from an event packet (`code, length, params`).
public enum HCIEvent {
    /// Command Complete (0x0E): the opcode answered and its return parameters, the first
    /// of which is the status for every command the gateway sends.
    case commandComplete(opcode: UInt16, returnParameters: ArraySlice<UInt8>)
    /// Command Status (0x0F).
    case commandStatus(status: UInt8, opcode: UInt16)
    /// LE Meta (0x3E) with its subevent and the parameters after it.
    case leMeta(subevent: UInt8, parameters: ArraySlice<UInt8>)
    /// Disconnection Complete (0x05): handle and reason.
    case disconnectionComplete(handle: UInt16, reason: UInt8)
    /// Hardware Error (0x10): the controller needs a reset.
    case hardwareError(code: UInt8)
    /// Any other event, by code.
    case other(code: UInt8)

    public static let commandCompleteCode: UInt8 = 0x0E
    public static let commandStatusCode: UInt8 = 0x0F
    public static let leMetaCode: UInt8 = 0x3E

    /// LE Advertising Report subevent.
    public static let advertisingReport: UInt8 = 0x02
    /// LE Extended Advertising Report subevent.
    public static let extendedAdvertisingReport: UInt8 = 0x0D
    /// LE Connection Complete, LE Enhanced Connection Complete (v1 and v2): a connection
    /// attempt ended (status 0: connected; otherwise failed or cancelled).
    public static let connectionCompleteSubevents: [UInt8] = [0x01, 0x0A, 0x29]

    /// Parses an event packet; nil when its length byte disagrees with its size or the
    /// parameters are too short for the event (the caller counts it).
    public static func parse(_ packet: ArraySlice<UInt8>) -> HCIEvent? {
        guard packet.count >= 2 else { return nil }
        let code = packet.byte(0)
        guard Int(packet.byte(1)) == packet.count - 2 else { return nil }
        let params = packet.dropFirst(2)
        switch code {
        case commandCompleteCode:
            guard params.count >= 3 else { return nil }
            return .commandComplete(opcode: UInt16(params.unsignedLE(1, 2)), returnParameters: params.dropFirst(3))
        case commandStatusCode:
            guard params.count >= 4 else { return nil }
            return .commandStatus(status: params.byte(0), opcode: UInt16(params.unsignedLE(2, 2)))
        case leMetaCode:
            guard params.count >= 1 else { return nil }
            return .leMeta(subevent: params.byte(0), parameters: params.dropFirst())
        case 0x05:
            guard params.count >= 4 else { return nil }
            return .disconnectionComplete(handle: UInt16(params.unsignedLE(1, 2)) & 0x0FFF, reason: params.byte(3))
        case 0x10:
            guard params.count >= 1 else { return nil }
            return .hardwareError(code: params.byte(0))
        default:
            return .other(code: code)
        }
    }
}
