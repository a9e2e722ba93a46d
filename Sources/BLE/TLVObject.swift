/// Type-length-value objects as data: each known type's fields, offsets from the value's
/// first byte, read by `SensorField` like the fixed layouts. Used by Qingping (u8 type) and
/// Xiaomi MiBeacon (u16 LE type).
struct TLVObject {
    let type: UInt16
    let fields: [SensorField]

    init(_ type: UInt16, _ fields: [SensorField]) {
        self.type = type
        self.fields = fields
    }

    /// Walks `{type (typeSize bytes LE), length u8, value}` objects; unknown types are
    /// skipped (their length is given); an object running past the end stops the walk and
    /// its bytes are returned as undecoded.
    static func walk(_ bytes: ArraySlice<UInt8>, typeSize: Int, table: [TLVObject],
                     into out: inout [SensorMeasurement]) -> [UInt8]? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard index + typeSize < bytes.endIndex else { return Array(bytes[index...]) }
            var type = UInt16(bytes[index])
            if typeSize == 2 { type |= UInt16(bytes[index + 1]) << 8 }
            let length = Int(bytes[index + typeSize])
            let start = index + typeSize + 1
            guard start + length <= bytes.endIndex else { return Array(bytes[index...]) }
            let value = FieldBytes(head: nil, body: bytes[start..<(start + length)])
            for object in table where object.type == type {
                for field in object.fields {
                    if let measurement = field.read(value) { out.append(measurement) }
                }
            }
            index = start + length
        }
        return nil
    }
}
