@testable import BLE
import JSON
import Testing

/// The health profiles' values from their GATT specifications: IEEE 11073 SFLOAT and FLOAT
/// with their special values, Blood Pressure Measurement 0x2A35, Temperature Measurement
/// 0x2A1C, Date Time 0x2A08; and the original's passive service data samples.
@Suite("GATT health values and the original's passive samples")
struct GATTValueTests {
    @Test("SFLOAT: 4-bit exponent, 12-bit mantissa, both signed; NaN, NRes, +INF, -INF and reserved")
    func sfloat() {
        #expect(IEEE11073Float.sfloat(0x0078) == .value(120))
        #expect(IEEE11073Float.sfloat(0xF4B5) == .value(120.5))
        #expect(IEEE11073Float.sfloat(0x0FFF) == .value(-1))
        #expect(IEEE11073Float.sfloat(0x1002) == .value(20))
        #expect(IEEE11073Float.sfloat(0x8001) == .value(1e-8))
        #expect(IEEE11073Float.sfloat(0x07FF) == .notANumber)
        #expect(IEEE11073Float.sfloat(0x0800) == .notAtThisResolution)
        #expect(IEEE11073Float.sfloat(0x07FE) == .positiveInfinity)
        #expect(IEEE11073Float.sfloat(0x0802) == .negativeInfinity)
        #expect(IEEE11073Float.sfloat(0x0801) == .reserved)
        #expect(IEEE11073Float.sfloat(0x07FF).finite == nil)
        // Not special with another exponent: 0x17FF is 2047 x 10.
        #expect(IEEE11073Float.sfloat(0x17FF) == .value(20470))
    }

    @Test("FLOAT: 8-bit exponent, 24-bit mantissa; its special values")
    func float() {
        #expect(IEEE11073Float.float(0xFF00_016C) == .value(36.4))
        #expect(IEEE11073Float.float(0x00FF_FFFF) == .value(-1))
        #expect(IEEE11073Float.float(0xFE00_0E35) == .value(36.37))
        #expect(IEEE11073Float.float(0x007F_FFFF) == .notANumber)
        #expect(IEEE11073Float.float(0x0080_0000) == .notAtThisResolution)
        #expect(IEEE11073Float.float(0x007F_FFFE) == .positiveInfinity)
        #expect(IEEE11073Float.float(0x0080_0002) == .negativeInfinity)
        #expect(IEEE11073Float.float(0x0080_0001) == .reserved)
    }

    @Test("Blood Pressure Measurement: every optional field in order; kPa becomes mmHg; specials and short values")
    func bloodPressure() throws {
        let full: [UInt8] = [0x1E, 0x79, 0x00, 0x50, 0x00, 0x5F, 0x00, 0xEA, 0x07, 0x0C, 0x06, 0x0F, 0x04, 0x05,
                             0x48, 0x00, 0x01, 0x04, 0x00]
        let measurement = try #require(BloodPressureMeasurement(full[...]))
        #expect(!measurement.isKilopascal)
        #expect(measurement.systolicAndDiastolic! == (121, 80))
        #expect(measurement.meanArterialPressure == .value(95))
        #expect(measurement.time?.epochSeconds == 1_796_569_445)
        #expect(measurement.pulse == 72 && measurement.userID == 1 && measurement.status == 4)
        let samples = IoTDataModel.samples(measurement, iotDeviceID: "d", timestamp: 7)
        #expect(IoTPayload.json(samples).serialized() == """
            {"data":[{"iotDeviceId":"d","dataType":"blood_pressure","data":[{"timestamp":7,"data":{"sys":121,"dias":80}}]},\
            {"iotDeviceId":"d","dataType":"heart_rate","data":[{"timestamp":7,"data":{"rate":72}}]}]}
            """)

        // kPa, no options: 16.0 kPa = 120.0 mmHg, 10.7 kPa = 80.3 mmHg; the mean is NaN.
        let kilopascal = try #require(BloodPressureMeasurement([0x01, 0xA0, 0xF0, 0x6B, 0xF0, 0xFF, 0x07][...]))
        #expect(kilopascal.systolicAndDiastolic! == (120, 80.3))
        #expect(kilopascal.meanArterialPressure == .notANumber && kilopascal.pulse == nil && kilopascal.time == nil)
        // A systolic the cuff could not measure: no blood_pressure sample, the pulse still counts.
        let unmeasured = try #require(BloodPressureMeasurement([0x04, 0xFF, 0x07, 0x50, 0x00, 0x5F, 0x00, 0x40, 0x00][...]))
        #expect(unmeasured.systolicAndDiastolic == nil)
        #expect(IoTDataModel.samples(unmeasured, iotDeviceID: "d", timestamp: 1).map(\.dataType) == ["heart_rate"])
        // Shorter than the flags announce, or a time stamp that is no date: refused.
        #expect(BloodPressureMeasurement([0x06, 0x79, 0x00, 0x50, 0x00, 0x5F, 0x00][...]) == nil)
        #expect(BloodPressureMeasurement([0x00, 0x79, 0x00, 0x50, 0x00, 0x5F][...]) == nil)
        #expect(BloodPressureMeasurement([0x02, 0x79, 0x00, 0x50, 0x00, 0x5F, 0x00, 0xEA, 0x07, 0x0D, 0x06, 0x0F, 0x04, 0x05][...]) == nil)
        #expect(BloodPressureMeasurement([][...]) == nil)
    }

    @Test("Temperature Measurement: FLOAT in Celsius or Fahrenheit, optional time and type; specials refused")
    func temperature() {
        #expect(GATTValueDecoder.temperature([0x00, 0x6C, 0x01, 0x00, 0xFF][...])?.value(.temperature) == 36.4)
        // 98.1 °F = 36.72 °C, with a time stamp and a type (2, body).
        let fahrenheit: [UInt8] = [0x07, 0xD5, 0x03, 0x00, 0xFF, 0xEA, 0x07, 0x0C, 0x06, 0x0F, 0x04, 0x05, 0x02]
        #expect(GATTValueDecoder.temperature(fahrenheit[...])?.value(.temperature) == 36.72)
        #expect(GATTValueDecoder.temperature([0x00, 0xFF, 0xFF, 0x7F, 0x00][...]) == nil)
        #expect(GATTValueDecoder.temperature([0x02, 0x6C, 0x01, 0x00, 0xFF][...]) == nil)
        #expect(GATTValueDecoder.temperature([0x00, 0x6C, 0x01][...]) == nil)
    }

    @Test("Date Time: UTC both ways, leap days, unknown fields, impossible dates")
    func dateTime() throws {
        let time = try #require(GATTDateTime([0xEA, 0x07, 0x0C, 0x06, 0x0F, 0x04, 0x05][...]))
        #expect(time == GATTDateTime(year: 2026, month: 12, day: 6, hour: 15, minute: 4, second: 5))
        #expect(time.epochSeconds == 1_796_569_445)
        #expect(GATTDateTime(epochSeconds: 1_796_569_445) == time)
        #expect(GATTDateTime(epochSeconds: 951_868_799) == GATTDateTime(year: 2000, month: 2, day: 29, hour: 23, minute: 59, second: 59))
        #expect(GATTDateTime(epochSeconds: -1) == GATTDateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
        #expect(GATTDateTime(epochSeconds: 1_796_569_445).bytes == [0xEA, 0x07, 0x0C, 0x06, 0x0F, 0x04, 0x05])
        #expect(GATTDateTime([0, 0, 0, 0, 0, 0, 0][...])?.epochSeconds == nil, "all fields unknown")
        #expect(GATTDateTime(year: 2026, month: 2, day: 31, hour: 0, minute: 0, second: 0).epochSeconds == nil)
        #expect(GATTDateTime([0xEA, 0x07, 0x0C, 0x06, 0x18, 0x04, 0x05][...]) == nil, "hour 24")
        #expect(GATTDateTime([0xEA, 0x07, 0x0C][...]) == nil)
    }

    @Test("passive service data: the original's five UUIDs as raw integers or text; what holds no value is dropped and counted")
    func passive() throws {
        // 0x2A37 signed LE of all its bytes, 0x2A6D unsigned, 0x2A6E signed, 0x180F, 0x2A46 text.
        let ad: [UInt8] = [0x05, 0x16, 0x37, 0x2A, 0x00, 0x48,
                           0x07, 0x16, 0x6D, 0x2A, 0x10, 0x45, 0x0F, 0x00,
                           0x05, 0x16, 0x6E, 0x2A, 0x0C, 0xFE,
                           0x04, 0x16, 0x0F, 0x18, 0x5A,
                           0x07, 0x16, 0x46, 0x2A, 0x66, 0x61, 0x6C, 0x6C]
        let data = try #require(AdvertisingData.parse(ad[...]))
        let result = PassiveServiceData.samples(data, iotDeviceID: "d", timestamp: 5)
        #expect(result.dropped == 0)
        #expect(IoTPayload.json(result.samples).serialized() == """
            {"data":[{"iotDeviceId":"d","dataType":"heart_rate","data":[{"timestamp":5,"data":{"rate":18432}}]},\
            {"iotDeviceId":"d","dataType":"pressure","data":[{"timestamp":5,"data":{"level":1000720}}]},\
            {"iotDeviceId":"d","dataType":"temperature","data":[{"timestamp":5,"data":{"level":-500}}]},\
            {"iotDeviceId":"d","dataType":"battery_level","data":[{"timestamp":5,"data":{"level":90}}]},\
            {"iotDeviceId":"d","dataType":"alert","data":[{"timestamp":5,"data":{"id":"fall"}}]}]}
            """)
        // Nine bytes of integer, an empty value, text that is no UTF-8: dropped.
        let bad: [UInt8] = [0x0C, 0x16, 0x6E, 0x2A, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                            0x03, 0x16, 0x0F, 0x18,
                            0x05, 0x16, 0x46, 0x2A, 0xC3, 0x28]
        let refused = PassiveServiceData.samples(try #require(AdvertisingData.parse(bad[...])), iotDeviceID: "d", timestamp: 5)
        #expect(refused.samples.isEmpty && refused.dropped == 3)
    }

    @Test("last data submission: epoch seconds or milliseconds, digits, ISO 8601; anything else is no time")
    func lastSubmission() {
        #expect(IoTLastSubmission.timestamp(["timestamp": 1_796_569_445]) == 1_796_569_445)
        #expect(IoTLastSubmission.timestamp(["timestamp": 1_796_569_445_123]) == 1_796_569_445)
        #expect(IoTLastSubmission.timestamp(["timestamp": "1796569445"]) == 1_796_569_445)
        #expect(IoTLastSubmission.timestamp(["timestamp": "2026-12-06T15:04:05Z"]) == 1_796_569_445)
        #expect(IoTLastSubmission.timestamp(["timestamp": "2026-12-06T15:04:05.250Z"]) == 1_796_569_445)
        #expect(IoTLastSubmission.timestamp(["timestamp": "2026-12-06T15:04:05+00:00"]) == 1_796_569_445)
        #expect(IoTLastSubmission.timestamp(["timestamp": "2026-12-06T15:04:05+02:00"]) == nil)
        #expect(IoTLastSubmission.timestamp(["timestamp": "yesterday"]) == nil)
        #expect(IoTLastSubmission.timestamp(["timestamp": .null]) == nil)
        #expect(IoTLastSubmission.timestamp(["timestamp": -5]) == nil)
        #expect(IoTLastSubmission.timestamp(["createdAt": "2026-12-06T15:04:05Z"]) == nil)
    }
}
