/// One READ_SENSORS reply, decoded but still in the device's units (mV, mA, mW, tenths of a
/// degree). The C struct is little-endian with natural alignment (not packed); its layout
/// differs by model, see `+Original` and `+BL2`. `BenchlabTelemetry` turns it into the
/// published JSON.
public struct BenchlabSensorFrame: Equatable {
    /// The firmware's "no reading" value for `Vin`, `Ts` and `Tchip`.
    public static let invalidReading: Int16 = 0x7FFF
    /// Input voltage channels (`Vin[13]`).
    public static let inputCount = 13

    public var model: BenchlabModel
    public var firmware: UInt8
    /// `Vin[13]`, mV.
    public var inputMillivolts: [Int16]
    public var vddMillivolts: UInt16
    public var vrefMillivolts: UInt16
    /// `Tchip` as sent: whole degrees on ORIGINAL fw 2, tenths later (see `BenchlabModel`).
    public var chipTemperatureRaw: Int16
    /// `Ts[]`, tenths of a degree: 4 probes (ORIGINAL) or 8 (BL2).
    public var probeTenths: [Int16]
    /// `Tamb`, tenths of a degree; 0 together with `humidityTenths` when the sensor failed.
    public var ambientTenths: Int16
    /// `Hum`, tenths of a percent relative humidity.
    public var humidityTenths: UInt16
    /// 0 auto, 1 50 %, 2 100 %.
    public var fanSwitchStatus: UInt8
    public var rgbSwitchStatus: UInt8
    public var rgbExtStatus: UInt8
    /// Duty of an external fan controller in percent; 255 when there is none.
    public var fanExtDuty: UInt8
    /// 11 rails (ORIGINAL) or 23 readings (BL2).
    public var power: [BenchlabPowerReading]
    public var fans: [BenchlabFanReading]
    /// BL2 firmware 5 and later only.
    public var faultStatus: UInt64?
    public var faultLog: UInt64?

    /// A frame from its fields (decoding goes through `decode`).
    public init(
        model: BenchlabModel, firmware: UInt8, inputMillivolts: [Int16], vddMillivolts: UInt16,
        vrefMillivolts: UInt16, chipTemperatureRaw: Int16, probeTenths: [Int16], ambientTenths: Int16,
        humidityTenths: UInt16, fanSwitchStatus: UInt8, rgbSwitchStatus: UInt8, rgbExtStatus: UInt8,
        fanExtDuty: UInt8, power: [BenchlabPowerReading], fans: [BenchlabFanReading],
        faultStatus: UInt64? = nil, faultLog: UInt64? = nil
    ) {
        self.model = model
        self.firmware = firmware
        self.inputMillivolts = inputMillivolts
        self.vddMillivolts = vddMillivolts
        self.vrefMillivolts = vrefMillivolts
        self.chipTemperatureRaw = chipTemperatureRaw
        self.probeTenths = probeTenths
        self.ambientTenths = ambientTenths
        self.humidityTenths = humidityTenths
        self.fanSwitchStatus = fanSwitchStatus
        self.rgbSwitchStatus = rgbSwitchStatus
        self.rgbExtStatus = rgbExtStatus
        self.fanExtDuty = fanExtDuty
        self.power = power
        self.fans = fans
        self.faultStatus = faultStatus
        self.faultLog = faultLog
    }

    /// Decodes a READ_SENSORS reply from a `model` device running `firmware`.
    ///
    /// There is no checksum, so besides the exact length the frame must pass the checks the
    /// field definitions allow: fan switch 0-2, fan enable flags 0 or 1, duties at most 100 %.
    /// Bytes out of step with the request (a reply shifted by a stray byte, line noise) fail
    /// these with near certainty, and are dropped rather than published as readings.
    public static func decode(
        _ bytes: [UInt8], model: BenchlabModel, firmware: UInt8
    ) throws(BenchlabError) -> BenchlabSensorFrame {
        let expected = model.sensorFrameLength(firmware: firmware)
        guard bytes.count == expected else {
            throw .malformedFrame(model.name + " fw " + String(firmware) + " frame is " + String(bytes.count)
                                  + " bytes, not " + String(expected))
        }
        let reader = BenchlabByteReader(bytes)
        let frame: BenchlabSensorFrame
        switch model {
        case .original: frame = decodeOriginal(reader, firmware: firmware)
        case .bl2: frame = decodeBL2(reader, firmware: firmware)
        }
        try frame.checkPlausible()
        return frame
    }

    /// The field-range checks `decode` applies.
    func checkPlausible() throws(BenchlabError) {
        guard fanSwitchStatus <= 2 else {
            throw .malformedFrame("fan switch status " + String(fanSwitchStatus) + " is not 0, 1 or 2")
        }
        for (index, fan) in fans.enumerated() {
            guard fan.enabled <= 1 else {
                throw .malformedFrame("fan " + String(index + 1) + " enable flag is " + String(fan.enabled))
            }
            guard fan.dutyPercent <= 100 else {
                throw .malformedFrame("fan " + String(index + 1) + " duty is " + String(fan.dutyPercent) + " %")
            }
        }
    }

    /// Reads `count` fan structs from `offset`.
    static func fans(_ reader: BenchlabByteReader, at offset: Int) -> [BenchlabFanReading] {
        var fans: [BenchlabFanReading] = []
        fans.reserveCapacity(BenchlabFanReading.count)
        for index in 0..<BenchlabFanReading.count {
            fans.append(BenchlabFanReading(reader, at: offset + index * BenchlabFanReading.stride))
        }
        return fans
    }

    /// Reads `count` power structs from `offset`.
    static func power(_ reader: BenchlabByteReader, at offset: Int, count: Int) -> [BenchlabPowerReading] {
        var readings: [BenchlabPowerReading] = []
        readings.reserveCapacity(count)
        for index in 0..<count {
            readings.append(BenchlabPowerReading(reader, at: offset + index * BenchlabPowerReading.stride))
        }
        return readings
    }
}
