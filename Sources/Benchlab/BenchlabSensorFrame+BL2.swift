extension BenchlabSensorFrame {
    /// Byte offsets of the BL2 struct: 368 bytes before firmware 5, then 384 with the two
    /// 64-bit fault registers (8-aligned at 368 by natural alignment).
    enum BL2Layout {
        static let vin = 0
        static let vdd = 26
        static let vref = 28
        static let chipTemperature = 30
        static let probes = 32
        static let ambient = 48
        static let humidity = 50
        static let fanSwitch = 52
        static let rgbSwitch = 53
        static let rgbExt = 54
        static let fanExtDuty = 55
        static let power = 56
        static let fans = 332
        static let faultStatus = 368
        static let faultLog = 376
    }

    /// Decodes a BL2 frame whose length was checked (384 bytes, or 368 before firmware 5).
    static func decodeBL2(_ reader: BenchlabByteReader, firmware: UInt8) -> BenchlabSensorFrame {
        typealias L = BL2Layout
        let hasFaults = reader.bytes.count >= L.faultLog + 8
        return BenchlabSensorFrame(
            model: .bl2, firmware: firmware,
            inputMillivolts: reader.int16Array(L.vin, count: inputCount),
            vddMillivolts: reader.uint16(L.vdd),
            vrefMillivolts: reader.uint16(L.vref),
            chipTemperatureRaw: reader.int16(L.chipTemperature),
            probeTenths: reader.int16Array(L.probes, count: BenchlabModel.bl2.probeCount),
            ambientTenths: reader.int16(L.ambient),
            humidityTenths: reader.uint16(L.humidity),
            fanSwitchStatus: reader.uint8(L.fanSwitch),
            rgbSwitchStatus: reader.uint8(L.rgbSwitch),
            rgbExtStatus: reader.uint8(L.rgbExt),
            fanExtDuty: reader.uint8(L.fanExtDuty),
            power: power(reader, at: L.power, count: BenchlabModel.bl2.powerReadingCount),
            fans: fans(reader, at: L.fans),
            faultStatus: hasFaults ? reader.uint64(L.faultStatus) : nil,
            faultLog: hasFaults ? reader.uint64(L.faultLog) : nil)
    }
}
