import JSON

/// Who a device is once confirmed: its UID (the key of its MQTT topics), model and firmware.
public struct BenchlabIdentity: Equatable {
    /// 24 upper-case hex characters of the 12-byte READ_UID reply.
    public let uid: String
    public let model: BenchlabModel
    public let firmware: UInt8

    /// An identity from its parts.
    public init(uid: String, model: BenchlabModel, firmware: UInt8) {
        self.uid = uid
        self.model = model
        self.firmware = firmware
    }

    /// The UID text of a READ_UID reply; anything but 12 bytes fails.
    public static func uidText(_ bytes: [UInt8]) throws(BenchlabError) -> String {
        guard bytes.count == BenchlabOpcode.uidLength else {
            throw .malformedFrame("UID is " + String(bytes.count) + " bytes, not 12")
        }
        var text = ""
        text.reserveCapacity(24)
        for byte in bytes { text += BenchlabVendorData.hex(byte) }
        return text
    }

    /// The seed's `info` payload, `{"uid","com_port","firmware"}`, plus the model.
    public func infoJSON(port: String) -> JSONValue {
        var object = JSONObject(minimumCapacity: 4)
        object.append("uid", .string(uid))
        object.append("com_port", .string(port))
        object.append("firmware", .int(firmware))
        object.append("model", .string(model.name))
        return .object(object)
    }
}
