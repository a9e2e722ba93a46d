import Foundation

/// Sensor readings in device units, as the simulator encodes them into frames, and the
/// telemetry JSON a correct gateway must publish for them, computed here independently of
/// the code under test (straight from reference/benchlab.md).
struct BenchlabRawValues {
    var vin: [Int] = (0..<13).map { 11_900 + 37 * $0 }
    var vdd = 3_297
    var vref = 2_048
    var tchip = 412
    var ts: [Int] = [215, 287, -53, 312]
    var tamb = 236
    var hum = 481
    var fanSwitch = 1
    var rgbSwitch = 2
    var rgbExt = 1
    var fanExtDuty = 255
    /// [mV, mA, mW] per reading.
    var power: [[Int]] = [
        [12_034, 8_250, 99_280], [12_011, 6_125, 73_567], [3_312, 1_533, 5_077], [5_041, 2_010, 10_132],
        [5_003, 312, 1_560], [12_077, 4_001, 48_320], [12_019, 9_876, 118_699], [12_007, 7_654, 91_901],
        [11_998, -15, -179], [12_050, 21_340, 257_147], [0, 0, 0],
    ]
    /// [enable, duty %, rpm] per fan.
    var fans: [[Int]] = (0..<9).map { [$0 < 5 ? 1 : 0, 10 * $0 + 5, $0 < 5 ? 800 + 111 * $0 : 0] }
    var faultStatus = 0
    var faultLog = 0

    /// BL2 variant: 8 probes and the 12 per-wire readings, fault registers set.
    static func bl2() -> BenchlabRawValues {
        var values = BenchlabRawValues()
        values.ts = [201, 202, 32767, 204, 205, 206, 207, 208]
        values.tchip = 455
        for wire in 0..<12 {
            let millivolts = 12_000 + wire, milliamps = 1_000 + 17 * wire
            values.power.append([millivolts, milliamps, millivolts * milliamps / 1000])
        }
        values.faultStatus = 0x81
        values.faultLog = 0x1_0000_0003
        return values
    }

    /// The simulator's `values` JSON.
    var json: String {
        let object: [String: Any] = [
            "vin": vin, "vdd": vdd, "vref": vref, "tchip": tchip, "ts": ts, "tamb": tamb, "hum": hum,
            "fan_switch": fanSwitch, "rgb_switch": rgbSwitch, "rgb_ext": rgbExt, "fan_ext_duty": fanExtDuty,
            "power": power, "fans": fans, "fault_status": faultStatus, "fault_log": faultLog,
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Every telemetry key but `timestamp`, with the value a correct gateway publishes
    /// (`NSNull` for a reading the firmware marks invalid).
    func expectedTelemetry(model: String, firmware: Int) -> [String: Any] {
        var expected: [String: Any] = [:]
        func milli(_ value: Int) -> Double { Double(value) / 1000 }
        func tenths(_ value: Int) -> Any { value == 0x7FFF ? NSNull() : Double(value) / 10 }
        let rails = [("EPS1", 0), ("EPS2", 1), ("3.3V", 2), ("5V", 3), ("5VSB", 4), ("12V", 5),
                     ("PCIE8_1", 6), ("PCIE8_2", 7), ("PCIE8_3", 8), ("HPWR1", 9), ("HPWR2", 10)]
        for (name, index) in rails {
            expected[name + "_Voltage"] = milli(power[index][0])
            expected[name + "_Current"] = milli(power[index][1])
            expected[name + "_Power"] = milli(power[index][2])
        }
        func sum(_ indices: ClosedRange<Int>) -> Double { milli(indices.reduce(0) { $0 + power[$1][2] }) }
        expected["SYS_Power"] = sum(0...10)
        expected["CPU_Power"] = sum(0...1)
        expected["GPU_Power"] = sum(6...10)
        expected["MB_Power"] = sum(2...5)
        if model == "BL2" {
            for wire in 0..<12 {
                let name = "HPWR\(wire / 6 + 1)_W\(wire % 6 + 1)"
                expected[name + "_Voltage"] = milli(power[11 + wire][0])
                expected[name + "_Current"] = milli(power[11 + wire][1])
                expected[name + "_Power"] = milli(power[11 + wire][2])
            }
            if firmware >= 5 {
                expected["FaultStatus"] = Double(faultStatus)
                expected["FaultLog"] = Double(faultLog)
            }
        }
        for (channel, millivolts) in vin.enumerated() {
            expected["VIN_\(channel)"] = millivolts == 0x7FFF ? NSNull() : milli(millivolts) as Any
        }
        expected["Vdd"] = milli(vdd)
        expected["Vref"] = milli(vref)
        // Whole degrees on ORIGINAL fw 2, tenths on every later firmware.
        expected["Chip_Temp"] = tchip == 0x7FFF ? NSNull() : (model == "ORIGINAL" && firmware <= 2
                                                               ? Double(tchip) : Double(tchip) / 10) as Any
        let sensorFailed = tamb == 0 && hum == 0
        expected["Ambient_Temp"] = sensorFailed ? NSNull() : Double(tamb) / 10
        expected["Humidity"] = sensorFailed ? NSNull() : Double(hum) / 10
        for probe in 0..<(model == "BL2" ? 8 : 4) { expected["Temp_Sensor_\(probe + 1)"] = tenths(ts[probe]) }
        for (index, fan) in fans.enumerated() {
            expected["Fan\(index + 1)_Status"] = Double(fan[0])
            expected["Fan\(index + 1)_Duty"] = Double(fan[1])
            expected["Fan\(index + 1)_RPM"] = Double(fan[2])
        }
        expected["FanExtDuty"] = Double(fanExtDuty)
        return expected
    }
}
