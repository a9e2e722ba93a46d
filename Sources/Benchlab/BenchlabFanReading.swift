/// One fan header of a sensor frame: a 4-byte C struct (`uint8` enable, `uint8` duty in
/// percent, `uint16` tachometer in RPM).
public struct BenchlabFanReading: Equatable {
    /// Size of the C struct in a frame.
    public static let stride = 4
    /// Fan headers on every model.
    public static let count = 9

    public var enabled: UInt8
    public var dutyPercent: UInt8
    public var rpm: UInt16

    /// A reading with these raw values.
    public init(enabled: UInt8, dutyPercent: UInt8, rpm: UInt16) {
        self.enabled = enabled
        self.dutyPercent = dutyPercent
        self.rpm = rpm
    }

    init(_ reader: BenchlabByteReader, at offset: Int) {
        enabled = reader.uint8(offset)
        dutyPercent = reader.uint8(offset + 1)
        rpm = reader.uint16(offset + 2)
    }
}
