/// The 3-byte READ_VENDOR_DATA reply: vendor 0xEE, product 0x10 or 0x11, firmware version.
/// It is what confirms a port holds a Benchlab (ST's USB IDs are shared by other gadgets).
public struct BenchlabVendorData: Equatable {
    public let model: BenchlabModel
    public let firmware: UInt8

    /// Vendor data from its parts.
    public init(model: BenchlabModel, firmware: UInt8) {
        self.model = model
        self.firmware = firmware
    }

    /// Decodes a reply; anything but exactly 3 bytes with a Benchlab vendor and product fails.
    public static func decode(_ bytes: [UInt8]) throws(BenchlabError) -> BenchlabVendorData {
        guard bytes.count == BenchlabOpcode.vendorDataLength else {
            throw .malformedFrame("vendor data is " + String(bytes.count) + " bytes, not 3")
        }
        guard bytes[0] == BenchlabModel.vendorID else {
            throw .notABenchlab("vendor ID 0x" + hex(bytes[0]) + ", not 0xEE")
        }
        guard let model = BenchlabModel(productID: bytes[1]) else {
            throw .notABenchlab("product ID 0x" + hex(bytes[1]) + " is not a known Benchlab")
        }
        return BenchlabVendorData(model: model, firmware: bytes[2])
    }

    /// Two upper-case hex digits.
    static func hex(_ byte: UInt8) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }
}
