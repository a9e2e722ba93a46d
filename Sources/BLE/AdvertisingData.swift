/// One advert's (or scan response's) advertising data, split into the AD structures the
/// gateway uses: `{len, type, payload[len-1]}` repeated, a zero length ending it.
///
/// Payloads are kept as slices of the report's bytes: nothing is copied until a decoder or
/// the hex output needs it.
public struct AdvertisingData: Sendable {
    /// Service data under a 16-bit UUID (AD type 0x16); `payload` follows the UUID.
    public struct ServiceData: Sendable {
        public let uuid: UInt16
        public let payload: ArraySlice<UInt8>

        public init(uuid: UInt16, payload: ArraySlice<UInt8>) {
            self.uuid = uuid
            self.payload = payload
        }
    }

    /// Manufacturer-specific data (AD type 0xFF); `payload` follows the company id.
    public struct ManufacturerData: Sendable {
        public let company: UInt16
        public let payload: ArraySlice<UInt8>

        public init(company: UInt16, payload: ArraySlice<UInt8>) {
            self.company = company
            self.payload = payload
        }
    }

    public var flags: UInt8?
    /// The complete local name, else the shortened one.
    public var name: String?
    public var txPower: Int8?
    public var serviceData: [ServiceData] = []
    public var manufacturerData: [ManufacturerData] = []
    /// 16-bit service UUIDs listed (AD types 0x02, 0x03).
    public var serviceUUIDs: [UInt16] = []

    public init() {}

    /// Longest name kept; longer names are cut (a legacy advert cannot carry more anyway).
    public static let maxNameLength = 64

    /// Splits `bytes`; nil when a structure's length runs past the end or a known type is
    /// too short for its payload (the caller drops the report and counts it).
    public static func parse(_ bytes: ArraySlice<UInt8>) -> AdvertisingData? {
        var data = AdvertisingData()
        var index = bytes.startIndex
        var shortName: String?
        while index < bytes.endIndex {
            let length = Int(bytes[index])
            if length == 0 { break }
            let start = index + 1
            let end = start + length
            guard end <= bytes.endIndex else { return nil }
            let type = bytes[start]
            let payload = bytes[(start + 1)..<end]
            switch type {
            case 0x01:
                guard payload.count >= 1 else { return nil }
                data.flags = payload.first
            case 0x08:
                shortName = AdvertisingData.text(payload)
            case 0x09:
                data.name = AdvertisingData.text(payload)
            case 0x0A:
                guard payload.count >= 1 else { return nil }
                data.txPower = Int8(bitPattern: payload[payload.startIndex])
            case 0x02, 0x03:
                guard payload.count % 2 == 0 else { return nil }
                var at = payload.startIndex
                while at < payload.endIndex {
                    data.serviceUUIDs.append(UInt16(payload[at]) | UInt16(payload[at + 1]) << 8)
                    at += 2
                }
            case 0x16:
                guard payload.count >= 2 else { return nil }
                let uuid = UInt16(payload[payload.startIndex]) | UInt16(payload[payload.startIndex + 1]) << 8
                data.serviceData.append(ServiceData(uuid: uuid, payload: payload.dropFirst(2)))
            case 0xFF:
                guard payload.count >= 2 else { return nil }
                let company = UInt16(payload[payload.startIndex]) | UInt16(payload[payload.startIndex + 1]) << 8
                data.manufacturerData.append(ManufacturerData(company: company, payload: payload.dropFirst(2)))
            default:
                break // types the gateway does not use are skipped, not errors
            }
            index = end
        }
        if data.name == nil { data.name = shortName }
        return data
    }

    /// Name bytes as text: invalid UTF-8 is repaired, control bytes and NULs dropped, cut
    /// to `maxNameLength`.
    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        var clean: [UInt8] = []
        clean.reserveCapacity(min(bytes.count, maxNameLength))
        for byte in bytes.prefix(maxNameLength) where byte >= 0x20 && byte != 0x7F {
            clean.append(byte)
        }
        return String(decoding: clean, as: UTF8.self)
    }

    /// Merges a scan response into the advert it answers (later data adds, never removes).
    public mutating func merge(_ other: AdvertisingData) {
        if other.name != nil { name = other.name }
        if other.flags != nil { flags = other.flags }
        if other.txPower != nil { txPower = other.txPower }
        serviceData += other.serviceData
        manufacturerData += other.manufacturerData
        serviceUUIDs += other.serviceUUIDs
    }
}
