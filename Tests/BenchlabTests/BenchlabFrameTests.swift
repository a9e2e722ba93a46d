import Benchlab
import Foundation
import JSON
import Testing

@Suite("Benchlab sensor frames and telemetry")
struct BenchlabFrameTests {
    @Test("an ORIGINAL frame decodes every field from its reference offset, padding skipped")
    func decodesOriginal() throws {
        let values = BenchlabRawValues()
        let frame = try BenchlabSensorFrame.decode(FrameBytes.original(values), model: .original, firmware: 5)
        #expect(frame.inputMillivolts.map(Int.init) == values.vin)
        #expect(Int(frame.vddMillivolts) == values.vdd)
        #expect(Int(frame.vrefMillivolts) == values.vref)
        #expect(Int(frame.chipTemperatureRaw) == values.tchip)
        #expect(frame.probeTenths.map(Int.init) == values.ts)
        #expect(Int(frame.ambientTenths) == values.tamb)
        #expect(Int(frame.humidityTenths) == values.hum)
        #expect([frame.fanSwitchStatus, frame.rgbSwitchStatus, frame.rgbExtStatus, frame.fanExtDuty].map(Int.init)
                == [values.fanSwitch, values.rgbSwitch, values.rgbExt, values.fanExtDuty])
        #expect(frame.power.map { [Int($0.millivolts), Int($0.milliamps), Int($0.milliwatts)] } == values.power)
        #expect(frame.fans.map { [Int($0.enabled), Int($0.dutyPercent), Int($0.rpm)] } == values.fans)
        #expect(frame.faultStatus == nil && frame.faultLog == nil)
    }

    @Test("a BL2 frame decodes 8 probes, 23 power readings and the fault registers (384 bytes from fw 5)")
    func decodesBL2() throws {
        let values = BenchlabRawValues.bl2()
        let frame = try BenchlabSensorFrame.decode(FrameBytes.bl2(values), model: .bl2, firmware: 7)
        #expect(frame.probeTenths.map(Int.init) == values.ts)
        #expect(Int(frame.ambientTenths) == values.tamb && Int(frame.humidityTenths) == values.hum)
        #expect(frame.power.count == 23)
        #expect(frame.power.map { [Int($0.millivolts), Int($0.milliamps), Int($0.milliwatts)] } == values.power)
        #expect(frame.fans.map { [Int($0.enabled), Int($0.dutyPercent), Int($0.rpm)] } == values.fans)
        #expect(frame.faultStatus == 0x81)
        #expect(frame.faultLog == 0x1_0000_0003)

        let early = try BenchlabSensorFrame.decode(FrameBytes.bl2(values, withFaults: false), model: .bl2, firmware: 4)
        #expect(early.faultStatus == nil)
        #expect(early.fans == frame.fans)
    }

    @Test("frames of the wrong length are rejected, whatever their content")
    func rejectsWrongLengths() {
        let original = FrameBytes.original(BenchlabRawValues())
        let bl2 = FrameBytes.bl2(BenchlabRawValues.bl2())
        let cases: [([UInt8], BenchlabModel, UInt8)] = [
            ([], .original, 5), (Array(original.prefix(215)), .original, 5), (original + [0], .original, 5),
            (bl2, .original, 5), (Array(bl2.prefix(368)), .bl2, 7), (bl2, .bl2, 4), (original, .bl2, 7),
        ]
        for (bytes, model, firmware) in cases {
            #expect(throws: BenchlabError.self, "\(bytes.count) bytes as \(model.name) fw \(firmware)") {
                try BenchlabSensorFrame.decode(bytes, model: model, firmware: firmware)
            }
        }
    }

    @Test("frames whose status bytes no firmware sends are dropped as malformed")
    func rejectsImplausibleFields() {
        var values = BenchlabRawValues()
        values.fans[3][0] = 2
        #expect(throws: BenchlabError.malformedFrame("fan 4 enable flag is 2")) {
            try BenchlabSensorFrame.decode(FrameBytes.original(values), model: .original, firmware: 5)
        }
        values = BenchlabRawValues()
        values.fans[8][1] = 101
        #expect(throws: BenchlabError.malformedFrame("fan 9 duty is 101 %")) {
            try BenchlabSensorFrame.decode(FrameBytes.original(values), model: .original, firmware: 5)
        }
        values = BenchlabRawValues()
        values.fanSwitch = 3
        #expect(throws: BenchlabError.self) {
            try BenchlabSensorFrame.decode(FrameBytes.original(values), model: .original, firmware: 5)
        }
    }

    @Test("random bytes of the right length are almost never taken for a frame")
    func rejectsRandomFrames() {
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for _ in 0..<2_000 {
            let bytes = (0..<216).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if (try? BenchlabSensorFrame.decode(bytes, model: .original, firmware: 5)) != nil { accepted += 1 }
        }
        #expect(accepted == 0)
    }

    @Test("telemetry carries the seed's keys with values in V, A, W, degC and %, value by value")
    func telemetryValues() throws {
        for (model, firmware, values, bytes) in [
            (BenchlabModel.original, UInt8(5), BenchlabRawValues(), FrameBytes.original(BenchlabRawValues())),
            (BenchlabModel.bl2, UInt8(7), BenchlabRawValues.bl2(), FrameBytes.bl2(BenchlabRawValues.bl2())),
        ] {
            let frame = try BenchlabSensorFrame.decode(bytes, model: model, firmware: firmware)
            let text = BenchlabTelemetry.json(frame, timestampMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
                .serialized()
            let payload = try #require(TelemetryCheck.object(text))
            let expected = values.expectedTelemetry(model: model.name, firmware: Int(firmware))
            #expect(TelemetryCheck.mismatches(payload, expected) == [], "\(model.name): \(text)")
        }
    }

    @Test("Chip_Temp is whole degrees on ORIGINAL fw 2 and tenths from fw 3 (and on BL2)")
    func chipTemperatureScaling() throws {
        var values = BenchlabRawValues()
        values.tchip = 41
        let fw2 = try BenchlabSensorFrame.decode(FrameBytes.original(values), model: .original, firmware: 2)
        #expect(BenchlabTelemetry.json(fw2, timestampMilliseconds: 0)["Chip_Temp"] == .number(41))
        values.tchip = 412
        let fw3 = try BenchlabSensorFrame.decode(FrameBytes.original(values), model: .original, firmware: 3)
        #expect(BenchlabTelemetry.json(fw3, timestampMilliseconds: 0)["Chip_Temp"] == .number(41.2))
        let bl2 = try BenchlabSensorFrame.decode(FrameBytes.bl2(BenchlabRawValues.bl2()), model: .bl2, firmware: 7)
        #expect(BenchlabTelemetry.json(bl2, timestampMilliseconds: 0)["Chip_Temp"] == .number(45.5))
    }

    @Test("invalid readings publish null: 0x7FFF sentinels, and Tamb/Hum both 0 (sensor failed)")
    func invalidReadingsAreNull() throws {
        var values = BenchlabRawValues()
        values.vin[12] = 0x7FFF
        values.ts[1] = 0x7FFF
        values.tchip = 0x7FFF
        values.tamb = 0
        values.hum = 0
        let frame = try BenchlabSensorFrame.decode(FrameBytes.original(values), model: .original, firmware: 5)
        let json = BenchlabTelemetry.json(frame, timestampMilliseconds: 1_700_000_000_123)
        for key in ["VIN_12", "Temp_Sensor_2", "Chip_Temp", "Ambient_Temp", "Humidity"] {
            #expect(json[key] == .null, "\(key)")
        }
        #expect(json["VIN_11"] == .number(Double(values.vin[11]) / 1000))
        #expect(json["Temp_Sensor_1"] == .number(21.5))
        #expect(json["timestamp"] == .number(1_700_000_000_123))
        #expect(json.serialized().hasSuffix("\"timestamp\":1700000000123}"), "integer milliseconds, last key")
        #expect(json.serialized().hasPrefix("{\"SYS_Power\":"))
    }
}
