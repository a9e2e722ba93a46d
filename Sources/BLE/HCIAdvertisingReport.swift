/// One advertising report from a legacy (0x02) or extended (0x0D) LE Meta event. `data` is
/// a slice of the event's bytes, valid only during the callback that hands it over.
public struct HCIAdvertisingReport: Sendable {
    /// Extended-report event type bits (legacy types are mapped onto them).
    public static let connectable: UInt16 = 0x01
    public static let scannable: UInt16 = 0x02
    public static let directed: UInt16 = 0x04
    public static let scanResponse: UInt16 = 0x08
    public static let legacy: UInt16 = 0x10

    public var eventType: UInt16
    public var addressType: BLEAddressType
    public var address: BLEAddress
    public var rssi: Int8
    public var data: ArraySlice<UInt8>

    /// Whether this is a scan response rather than an advert.
    public var isScanResponse: Bool { eventType & HCIAdvertisingReport.scanResponse != 0 }

    /// Legacy PDU types (ADV_IND 0 .. SCAN_RSP 4) as extended-report bits.
    static func legacyBits(_ type: UInt8) -> UInt16 {
        switch type {
        case 0: return legacy | connectable | scannable
        case 1: return legacy | connectable | directed
        case 2: return legacy | scannable
        case 3: return legacy
        case 4: return legacy | scanResponse | scannable
        default: return legacy
        }
    }

    /// Calls `body` for each report of a legacy report event's parameters (after the
    /// subevent); false when the event is malformed (the reports before the fault were
    /// delivered, the rest are dropped). Bytes left after the last report are malformed too:
    /// a controller's lengths add up exactly, and the H4 framing check relies on that.
    public static func forEachLegacy(_ params: ArraySlice<UInt8>, _ body: (HCIAdvertisingReport) -> Void) -> Bool {
        guard let count = params.first, count >= 1 else { return false }
        var index = params.startIndex + 1
        for _ in 0..<count {
            // evt_type, addr_type, addr[6], len, data[len], rssi
            guard index + 9 <= params.endIndex else { return false }
            let length = Int(params[index + 8])
            let dataStart = index + 9
            guard length <= 31, dataStart + length + 1 <= params.endIndex else { return false }
            let report = HCIAdvertisingReport(
                eventType: legacyBits(params[index]), addressType: BLEAddressType(hci: params[index + 1]),
                address: BLEAddress(wire: params[(index + 2)..<(index + 8)]),
                rssi: Int8(bitPattern: params[dataStart + length]), data: params[dataStart..<(dataStart + length)])
            body(report)
            index = dataStart + length + 1
        }
        return index == params.endIndex
    }

    /// Calls `body` for each report of an extended report event's parameters; false when
    /// the event is malformed (as for legacy reports, leftover bytes included).
    public static func forEachExtended(_ params: ArraySlice<UInt8>, _ body: (HCIAdvertisingReport) -> Void) -> Bool {
        guard let count = params.first, count >= 1 else { return false }
        var index = params.startIndex + 1
        for _ in 0..<count {
            // type(2) addr_type addr[6] primary_phy secondary_phy sid tx_power rssi
            // interval(2) direct_addr_type direct_addr[6] len data[len]
            guard index + 24 <= params.endIndex else { return false }
            let length = Int(params[index + 23])
            let dataStart = index + 24
            guard dataStart + length <= params.endIndex else { return false }
            let type = UInt16(params[index]) | UInt16(params[index + 1]) << 8
            let report = HCIAdvertisingReport(
                eventType: type, addressType: BLEAddressType(hci: params[index + 2]),
                address: BLEAddress(wire: params[(index + 3)..<(index + 9)]),
                rssi: Int8(bitPattern: params[index + 13]), data: params[dataStart..<(dataStart + length)])
            body(report)
            index = dataStart + length
        }
        return index == params.endIndex
    }
}
