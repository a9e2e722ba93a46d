/// A fixed-layout advert format as data: which service data UUID or company id carries it,
/// the length and marker bytes that tell it apart, the device names it needs (when the
/// bytes alone are ambiguous), and its fields. `SensorFamilies.all` lists them;
/// `decode(_:)` is their one interpreter.
struct SensorFamily {
    /// Where the bytes come from.
    enum Source {
        /// Service data under a 16-bit UUID (offsets from the first byte after the UUID).
        case service(UInt16)
        /// Manufacturer data of a company (offsets count the company id's two bytes); nil
        /// for formats that put data where the company id should be (Inkbird IBS-TH).
        case manufacturer(UInt16?)
    }

    /// A marker byte: `bytes[offset] & mask == value`.
    struct Marker {
        let offset: UInt8
        let mask: UInt8
        let value: UInt8

        init(_ offset: UInt8, _ value: UInt8, mask: UInt8 = 0xFF) {
            self.offset = offset
            self.mask = mask
            self.value = value
        }
    }

    let format: SensorFormat
    let source: Source
    let length: ClosedRange<Int>
    var markers: [Marker] = []
    /// Name prefixes one of which the device's name must start with; empty: any device.
    var names: [StaticString] = []
    let fields: [SensorField]

    init(_ format: SensorFormat, _ source: Source, length: ClosedRange<Int>, markers: [Marker] = [],
         names: [StaticString] = [], fields: [SensorField]) {
        self.format = format
        self.source = source
        self.length = length
        self.markers = markers
        self.names = names
        self.fields = fields
    }

    /// Whether `bytes` from a device called `name` are this family's.
    func matches(_ bytes: FieldBytes, name: String?) -> Bool {
        guard length.contains(bytes.count) else { return false }
        for marker in markers {
            guard Int(marker.offset) < bytes.count, bytes[Int(marker.offset)] & marker.mask == marker.value else {
                return false
            }
        }
        guard !names.isEmpty else { return true }
        guard let name else { return false }
        for prefix in names where SensorFamily.hasPrefix(name, prefix) { return true }
        return false
    }

    /// The family's values in `bytes` (invalid-marked ones left out).
    func decode(_ bytes: FieldBytes) -> [SensorMeasurement] {
        var out: [SensorMeasurement] = []
        out.reserveCapacity(fields.count)
        for field in fields {
            if let measurement = field.read(bytes) { out.append(measurement) }
        }
        return out
    }

    /// Byte-wise prefix test (no Unicode tables in the firmware).
    static func hasPrefix(_ name: String, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard name.utf8.count >= count else { return false }
        var index = 0
        for byte in name.utf8 {
            if index == count { break }
            if byte != prefix.utf8Start[index] { return false }
            index += 1
        }
        return true
    }
}
