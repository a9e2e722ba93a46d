/// Tells an HCI event in an H4 stream from bytes that only look like one. The stream's only
/// framing is each packet's length byte: after a truncated or corrupt packet the length in
/// hand is wrong and everything after it would be misframed. So a packet start must be
/// plausible (the event indicator, a defined event code, a length that event allows) and,
/// once whole, hold together (advertising reports whose lengths add up exactly to the
/// event's). `H4Reassembler` adds what only the stream can tell: what follows the event.
///
/// Only events: the scanner never opens a connection over its HCI link (GATT goes through
/// the kernel's L2CAP sockets) and its raw socket's filter passes events only, so an ACL,
/// SCO or ISO indicator from the controller is as lost as any other stray byte.
enum H4FrameCheck {
    /// What the bytes at one position say.
    enum Verdict: Equatable {
        /// Cannot start an event.
        case implausible
        /// Plausible so far; more bytes are needed to tell.
        case incomplete
        /// A whole event that holds together: `length` bytes, indicator included.
        case event(length: Int)
    }

    /// The H4 event indicator.
    static let indicator: UInt8 = 0x04
    /// Event codes: the specification's (up to 0x59 in Bluetooth 5.4) with room for newer
    /// ones; 0x00 is none, 0xFF is vendor specific.
    static let definedCodes: ClosedRange<UInt8> = 0x01...0x5F
    /// LE Meta subevents: the specification's with room for newer ones.
    static let definedSubevents: ClosedRange<UInt8> = 0x01...0x3F
    /// Legacy report: evt_type, addr_type, addr[6], len, rssi around the data; data <= 31.
    static let legacyReportOverhead = 10
    static let legacyMaxData = 31
    /// Extended report: 24 bytes before the data.
    static let extendedReportOverhead = 24

    /// Examines the bytes from a candidate position to the end of what has arrived.
    static func examine(_ bytes: ArraySlice<UInt8>) -> Verdict {
        guard headerFits(bytes) else { return .implausible }
        let start = bytes.startIndex
        guard bytes.count >= 3 else { return .incomplete }
        let code = bytes[start + 1]
        let length = Int(bytes[start + 2])
        guard bytes.count >= 3 + length else {
            return prefixFits(code: code, length: length, bytes[(start + 3)...]) ? .incomplete : .implausible
        }
        let packet = bytes[(start + 1)..<(start + 3 + length)]
        return holdsTogether(packet) ? .event(length: 3 + length) : .implausible
    }

    /// Whether the bytes can begin an event as far as its three header bytes go (true when
    /// fewer have arrived). The test for what follows an event: only the header, because the
    /// next packet may itself be the truncated one, and the event before it is still good.
    static func headerFits(_ bytes: ArraySlice<UInt8>) -> Bool {
        let start = bytes.startIndex
        guard let first = bytes.first else { return true }
        guard first == indicator else { return false }
        guard bytes.count >= 2 else { return true }
        let code = bytes[start + 1]
        guard definedCodes.contains(code) || code == 0xFF else { return false }
        guard bytes.count >= 3 else { return true }
        return lengthFits(code: code, Int(bytes[start + 2]))
    }

    /// Whether an event packet (code, length, parameters) answers a command.
    static func isCommandReply(_ packet: ArraySlice<UInt8>) -> Bool {
        guard let code = packet.first else { return false }
        return code == HCIEvent.commandCompleteCode || code == HCIEvent.commandStatusCode
    }

    /// The parameter lengths the events the scanner acts on, and the fixed-size events
    /// a controller sends most, allow (Core specification, vol 4 part E, 7.7).
    static func lengthFits(code: UInt8, _ length: Int) -> Bool {
        switch code {
        case 0x01, 0x10, 0x1A: return length == 1  // Inquiry Complete, Hardware Error, Data Buffer Overflow
        case 0x03: return length == 11  // Connection Complete
        case 0x04: return length == 10  // Connection Request
        case 0x05, 0x08: return length == 4  // Disconnection Complete, Encryption Change
        case 0x06: return length == 3  // Authentication Complete
        case HCIEvent.commandCompleteCode: return length >= 3
        case HCIEvent.commandStatusCode: return length == 4
        case 0x13: return length >= 1 && (length - 1) % 4 == 0  // Number Of Completed Packets
        case HCIEvent.leMetaCode: return length >= 1
        default: return true
        }
    }

    /// Whether the parameters that have arrived of an event can still make one: checked as
    /// far as they go, so a false start does not hold the adverts after it back until its
    /// length has arrived.
    static func prefixFits(code: UInt8, length: Int, _ params: ArraySlice<UInt8>) -> Bool {
        guard code == HCIEvent.leMetaCode, let subevent = params.first else { return true }
        guard definedSubevents.contains(subevent) else { return false }
        let p = params.startIndex
        switch subevent {
        case HCIEvent.advertisingReport:
            guard params.count >= 2 else { return true }
            let reports = Int(params[p + 1])
            guard reports >= 1, 2 + reports * legacyReportOverhead <= length else { return false }
            guard params.count >= 2 + 9 else { return true }
            let data = Int(params[p + 2 + 8])
            return data <= legacyMaxData && 2 + legacyReportOverhead + data <= length
        case HCIEvent.extendedAdvertisingReport:
            guard params.count >= 2 else { return true }
            let reports = Int(params[p + 1])
            guard reports >= 1, 2 + reports * extendedReportOverhead <= length else { return false }
            guard params.count >= 2 + extendedReportOverhead else { return true }
            return 2 + extendedReportOverhead + Int(params[p + 2 + 23]) <= length
        default:
            return true
        }
    }

    /// Whether a whole event packet (code, length, parameters) parses, and its advertising
    /// reports, if any, fill it exactly.
    static func holdsTogether(_ packet: ArraySlice<UInt8>) -> Bool {
        guard let event = HCIEvent.parse(packet) else { return false }
        guard case .leMeta(let subevent, let parameters) = event else { return true }
        guard definedSubevents.contains(subevent) else { return false }
        switch subevent {
        case HCIEvent.advertisingReport: return HCIAdvertisingReport.forEachLegacy(parameters) { _ in }
        case HCIEvent.extendedAdvertisingReport: return HCIAdvertisingReport.forEachExtended(parameters) { _ in }
        default: return true
        }
    }
}
