// modules: BLE
// Numbers on their way from a decoder to the published JSON and the IoT API, from every bit
// pattern (NaN, infinities, huge, negative, subnormal): the input is read as little-endian
// doubles, each made a measurement of every kind. Nothing may trap (`Int(_:)` of such a value
// would): a button value that is no event code is "unknown", and the IoT text is a bare
// integer only when it is the value exactly.
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
        let text = IoTPayload.text(value)
        precondition(!text.isEmpty, "an empty IoT value")
        if let whole = Int64(text) { precondition(Double(whole) == value, "a bare integer that is not the value") }
        offset += 8
    }
    return 0
}
