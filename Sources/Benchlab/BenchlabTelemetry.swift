import JSON

/// Turns a sensor frame into the flat `telemetry` JSON of the seed tools, key for key: floats
/// in V, A, W, °C and %, integers for fans, `null` for a reading the firmware marks invalid,
/// and `timestamp` in integer milliseconds since the epoch.
public enum BenchlabTelemetry {
    /// The three keys of one power reading, and its index in the frame.
    struct RailKeys {
        let index: Int
        let voltage: String
        let current: String
        let power: String

        init(_ name: String, _ index: Int) {
            self.index = index
            voltage = name + "_Voltage"
            current = name + "_Current"
            power = name + "_Power"
        }
    }

    /// Every key name, built once rather than concatenated on every poll.
    enum Keys {
        /// The rails in the order the seed publishes them, then BL2's wires (indices 11-22).
        static let rails: [RailKeys] = {
            var rails = [("EPS1", 0), ("EPS2", 1), ("12V", 5), ("5V", 3), ("5VSB", 4), ("3.3V", 2),
                         ("PCIE8_1", 6), ("PCIE8_2", 7), ("PCIE8_3", 8), ("HPWR1", 9), ("HPWR2", 10)]
                .map { RailKeys($0.0, $0.1) }
            for (offset, name) in BenchlabPowerReading.wireNames.enumerated() {
                rails.append(RailKeys(name, BenchlabPowerReading.railNames.count + offset))
            }
            return rails
        }()
        static let inputs: [String] = (0..<BenchlabSensorFrame.inputCount).map { "VIN_" + String($0) }
        static let probes: [String] = (1...8).map { "Temp_Sensor_" + String($0) }
        static let fans: [(duty: String, rpm: String, status: String)] = (1...BenchlabFanReading.count).map {
            (number: Int) -> (duty: String, rpm: String, status: String) in
            let prefix = "Fan" + String(number)
            return (prefix + "_Duty", prefix + "_RPM", prefix + "_Status")
        }
    }

    /// The telemetry object for `frame`, stamped `timestampMilliseconds`.
    public static func json(_ frame: BenchlabSensorFrame, timestampMilliseconds: Int64) -> JSONValue {
        var object = JSONObject(minimumCapacity: 128)
        appendPowerSums(frame, to: &object)
        // The rails in the seed's order, then BL2's per-wire readings of its 12V-2x6 connectors.
        for rail in Keys.rails where rail.index < frame.power.count {
            appendRail(rail, frame.power[rail.index], to: &object)
        }
        for (index, millivolts) in frame.inputMillivolts.enumerated() where index < Keys.inputs.count {
            object.append(Keys.inputs[index], millivolts == BenchlabSensorFrame.invalidReading
                          ? .null : volts(Int64(millivolts)))
        }
        object.append("Vdd", volts(Int64(frame.vddMillivolts)))
        object.append("Vref", volts(Int64(frame.vrefMillivolts)))
        appendTemperatures(frame, to: &object)
        for (index, fan) in frame.fans.enumerated() where index < Keys.fans.count {
            object.append(Keys.fans[index].duty, .int(fan.dutyPercent))
            object.append(Keys.fans[index].rpm, .int(fan.rpm))
            object.append(Keys.fans[index].status, .int(fan.enabled))
        }
        object.append("FanExtDuty", .int(frame.fanExtDuty))
        if let faultStatus = frame.faultStatus { object.append("FaultStatus", .int(faultStatus)) }
        if let faultLog = frame.faultLog { object.append("FaultLog", .int(faultLog)) }
        object.append("timestamp", .int(timestampMilliseconds))
        return .object(object)
    }

    /// `SYS_Power` (all 11 rails; BL2's wire readings are parts of HPWR1/2, not extra),
    /// `CPU_Power` (EPS1+EPS2), `GPU_Power` (PCIe and HPWR, 6-10), `MB_Power` (ATX, 2-5).
    static func appendPowerSums(_ frame: BenchlabSensorFrame, to object: inout JSONObject) {
        func sum(_ range: Range<Int>) -> Int64 {
            var total: Int64 = 0
            for index in range where index < frame.power.count { total += Int64(frame.power[index].milliwatts) }
            return total
        }
        object.append("SYS_Power", watts(sum(0..<11)))
        object.append("CPU_Power", watts(sum(0..<2)))
        object.append("GPU_Power", watts(sum(6..<11)))
        object.append("MB_Power", watts(sum(2..<6)))
    }

    static func appendRail(_ rail: RailKeys, _ reading: BenchlabPowerReading, to object: inout JSONObject) {
        object.append(rail.voltage, volts(Int64(reading.millivolts)))
        object.append(rail.current, amps(Int64(reading.milliamps)))
        object.append(rail.power, watts(Int64(reading.milliwatts)))
    }

    /// `Chip_Temp` scaled by firmware, `Ambient_Temp` and `Humidity` (both null when the
    /// sensor's I2C read failed, which the firmware reports as 0 and 0), `Temp_Sensor_n`.
    static func appendTemperatures(_ frame: BenchlabSensorFrame, to object: inout JSONObject) {
        let divisor = frame.model.chipTemperatureDivisor(firmware: frame.firmware)
        object.append("Chip_Temp", frame.chipTemperatureRaw == BenchlabSensorFrame.invalidReading
                      ? .null : oneDecimal(Double(frame.chipTemperatureRaw) / divisor))
        let ambientFailed = frame.ambientTenths == 0 && frame.humidityTenths == 0
        object.append("Ambient_Temp", ambientFailed ? .null : oneDecimal(Double(frame.ambientTenths) / 10))
        object.append("Humidity", ambientFailed ? .null : oneDecimal(Double(frame.humidityTenths) / 10))
        for (index, tenths) in frame.probeTenths.enumerated() where index < Keys.probes.count {
            object.append(Keys.probes[index], tenths == BenchlabSensorFrame.invalidReading
                          ? .null : oneDecimal(Double(tenths) / 10))
        }
    }

    /// Thousandths to units. The division rounds to the nearest double, which prints in the
    /// fewest digits (12034 mV -> 12.034), so no extra rounding is needed.
    static func volts(_ millivolts: Int64) -> JSONValue { .number(Double(millivolts) / 1000) }
    static func amps(_ milliamps: Int64) -> JSONValue { .number(Double(milliamps) / 1000) }
    static func watts(_ milliwatts: Int64) -> JSONValue { .number(Double(milliwatts) / 1000) }

    /// A temperature or humidity with one decimal, as the seed rounds them.
    static func oneDecimal(_ value: Double) -> JSONValue {
        .number((value * 10).rounded() / 10)
    }
}
