// modules: BLE
// Numbers on their way from a decoder to the published JSON and the IoT API, from every bit
// pattern (NaN, infinities, huge, negative, subnormal): the input is read as little-endian
// doubles, each made a measurement of every kind. Nothing may trap (`Int(_:)` of such a value
// would): a button value that is no event code is "unknown", and only finite values become
// IoT samples.
import BLE

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var offset = 0
    while offset + 8 <= size {
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(data[offset + index]) << UInt64(8 * index) }
        let value = Double(bitPattern: bits)
        for kind in MeasurementKind.allCases {
            if let name = SensorMeasurement(kind, value).eventName { precondition(!name.isEmpty, "an empty event name") }
        }
        for kind in MeasurementKind.allCases {
            guard let sample = IoTDataModel.sample(quantity: kind.key, value: value, iotDeviceID: "x", timestamp: 0) else { continue }
            precondition(value.isFinite && sample.fields.count == 1, "an IoT sample of a value that is no number")
            precondition(!IoTPayload.json([sample]).serialized().isEmpty, "an empty IoT body")
        }
        offset += 8
    }
    return 0
}
