extension BenchlabSensorFrame {
    /// Byte offsets of the ORIGINAL struct (216 bytes). Padding falls out of natural alignment:
    /// the four status bytes end at 48, already 4-aligned for the int32s of the power structs.
    enum OriginalLayout {
        static let vin = 0
        static let vdd = 26
        static let vref = 28
        static let chipTemperature = 30
        static let probes = 32
        static let ambient = 40
        static let humidity = 42
        static let fanSwitch = 44
        static let rgbSwitch = 45
        static let rgbExt = 46
        static let fanExtDuty = 47
        static let power = 48
        static let fans = 180
        static let length = 216
    }

    /// Decodes an ORIGINAL frame whose length was checked.
    static func decodeOriginal(_ reader: BenchlabByteReader, firmware: UInt8) -> BenchlabSensorFrame {
        typealias L = OriginalLayout
        return BenchlabSensorFrame(
            model: .original, firmware: firmware,
            inputMillivolts: reader.int16Array(L.vin, count: inputCount),
            vddMillivolts: reader.uint16(L.vdd),
            vrefMillivolts: reader.uint16(L.vref),
            chipTemperatureRaw: reader.int16(L.chipTemperature),
            probeTenths: reader.int16Array(L.probes, count: BenchlabModel.original.probeCount),
            ambientTenths: reader.int16(L.ambient),
            humidityTenths: reader.uint16(L.humidity),
            fanSwitchStatus: reader.uint8(L.fanSwitch),
            rgbSwitchStatus: reader.uint8(L.rgbSwitch),
            rgbExtStatus: reader.uint8(L.rgbExt),
            fanExtDuty: reader.uint8(L.fanExtDuty),
            power: power(reader, at: L.power, count: BenchlabModel.original.powerReadingCount),
            fans: fans(reader, at: L.fans))
    }
}
