// modules: BLE
// GATT characteristic values from a connected device, as any peripheral may send them: every
// input is tried as Blood Pressure Measurement (0x2A35), Temperature Measurement (0x2A1C),
// Heart Rate Measurement (0x2A37), Date Time (0x2A08) and as the original's passive service
// data. Nothing may trap; what is accepted must hold up: a decoded pressure in mmHg is a
// finite number, a Date Time that decodes writes back to the same 7 bytes, a Last Data
// Submission answer gives a time or nothing.
import BLE
import JSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let value = bytes[...]
    if let measurement = BloodPressureMeasurement(value) {
        if let pressure = measurement.systolicAndDiastolic {
            precondition(pressure.systolic.isFinite && pressure.diastolic.isFinite, "a pressure that is no number")
        }
        for sample in IoTDataModel.samples(measurement, iotDeviceID: "x", timestamp: 0) {
            precondition(!IoTPayload.json([sample]).serialized().isEmpty, "an empty IoT body")
        }
    }
    if let reading = GATTValueDecoder.temperature(value) {
        precondition(reading.measurements.allSatisfy { $0.value.isFinite }, "a temperature that is no number")
    }
    _ = GATTValueDecoder.heartRate(value)
    if let time = GATTDateTime(value) {
        precondition(time.bytes == Array(bytes.prefix(7)), "a Date Time that does not write back the same")
        if let seconds = time.epochSeconds { precondition(GATTDateTime(epochSeconds: seconds) == time, "a date that does not round-trip") }
    }
    if size >= 2 { _ = IEEE11073Float.sfloat(UInt16(bytes[0]) | UInt16(bytes[1]) << 8) }
    let text = String(decoding: bytes, as: UTF8.self)
    _ = IoTLastSubmission.timestamp(["timestamp": .string(text)])
    return 0
}
