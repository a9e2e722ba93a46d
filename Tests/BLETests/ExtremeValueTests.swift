@testable import BLE
import JSON
import Runtime
import Testing

/// Issue 20 item 3: every number from outside is range-checked before it becomes an integer.
/// `Int(someDouble)` traps on NaN, infinity and magnitudes past the type (in Embedded Swift
/// too), so a value that reached one of those conversions stopped the gateway.
@Suite("Extreme values: huge, negative, NaN and infinite numbers never trap")
struct ExtremeValueTests {
    static let extremes: [Double] = [.nan, -.nan, .infinity, -.infinity, 1e300, -1e300, 9.3e18, -9.3e18,
                                     .greatestFiniteMagnitude, -1, 2.5, -0.0, .leastNonzeroMagnitude]

    @Test("a button value that is no event code is \"unknown\", whatever the number")
    func eventNames() {
        for value in ExtremeValueTests.extremes where value != 0 {
            #expect(SensorMeasurement(.button, value).eventName == "unknown", "value \(value)")
        }
        #expect(SensorMeasurement(.button, -0.0).eventName == "none")
        #expect(SensorMeasurement(.button, 0x80).eventName == "hold_press")
        #expect(SensorMeasurement(.button, 4).eventName == "long_press")
        #expect(SensorMeasurement(.temperature, .nan).eventName == nil)
    }

    @Test("IoT values: only finite numbers become samples, huge ones stay numbers")
    func iotValues() {
        for value in ExtremeValueTests.extremes {
            let sample = IoTDataModel.sample(quantity: "power", value: value, iotDeviceID: "d", timestamp: 0)
            #expect((sample != nil) == value.isFinite, "value \(value)")
            if let sample { #expect((try? JSONValue.parse(IoTPayload.json([sample]).serialized())) != nil) }
        }
        #expect(IoTDataModel.sample(quantity: "temperature", value: -327.68, iotDeviceID: "d", timestamp: 0)?.fields.first?.value == .number(-32768))
    }

    @Test("BTHome objects at their extremes decode, publish and submit")
    func bthomeExtremes() throws {
        // temperature s16 -32768, pressure u24 max, energy u24 max, timestamp u32 max, button 0xFF.
        let objects: [UInt8] = [0x40, 0x02, 0x00, 0x80, 0x04, 0xFF, 0xFF, 0xFF, 0x0A, 0xFF, 0xFF, 0xFF,
                                0x3A, 0xFF, 0x50, 0xFF, 0xFF, 0xFF, 0xFF]
        let ad = [UInt8(objects.count + 3), 0x16, 0xD2, 0xFC] + objects
        let data = try #require(AdvertisingData.parse(ad[...]))
        let reading = try #require(SensorDecoder.decode(data, address: BLEAddress(rawValue: 1), key: nil, lastCounter: nil).reading)
        #expect(reading.value(.temperature) == -327.68)
        #expect(reading.value(.pressure) == 167_772.15)
        #expect(reading.value(.timestamp) == 4_294_967_295)
        #expect(reading.measurements.first { $0.kind == .button }?.eventName == "unknown")

        let device = BLEDevice(address: BLEAddress(rawValue: 1), addressType: .public, seen: Instant(nanoseconds: 0))
        device.reading = SensorReading(format: .bthome, measurements: reading.measurements
            + ExtremeValueTests.extremes.map { SensorMeasurement(.button, $0) }
            + ExtremeValueTests.extremes.map { SensorMeasurement(.power, $0) })
        let json = BLEDeviceJSON.reading(device, iotDeviceID: nil)
        #expect(json["temperature"]?.doubleValue == -327.68)
        #expect((try? JSONValue.parse(json.serialized())) != nil)
    }
}
