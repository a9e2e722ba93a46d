/// One power rail of a sensor frame: a 12-byte C struct (`int16` voltage, 2 bytes of padding
/// for natural alignment, `int32` current, `int32` power), kept in the device's units.
public struct BenchlabPowerReading: Equatable {
    /// Size of the C struct in a frame.
    public static let stride = 12

    public var millivolts: Int16
    public var milliamps: Int32
    public var milliwatts: Int32

    /// A reading with these raw values.
    public init(millivolts: Int16, milliamps: Int32, milliwatts: Int32) {
        self.millivolts = millivolts
        self.milliamps = milliamps
        self.milliwatts = milliwatts
    }

    init(_ reader: BenchlabByteReader, at offset: Int) {
        millivolts = reader.int16(offset)
        milliamps = reader.int32(offset + 4)
        milliwatts = reader.int32(offset + 8)
    }

    /// Names of the 11 rails in frame order, as the published keys spell them.
    public static let railNames: [String] = [
        "EPS1", "EPS2", "3.3V", "5V", "5VSB", "12V", "PCIE8_1", "PCIE8_2", "PCIE8_3", "HPWR1", "HPWR2",
    ]

    /// Names of BL2's 12 per-wire readings (indices 11-22): the six wires of each 12V-2x6
    /// connector.
    public static let wireNames: [String] = [
        "HPWR1_W1", "HPWR1_W2", "HPWR1_W3", "HPWR1_W4", "HPWR1_W5", "HPWR1_W6",
        "HPWR2_W1", "HPWR2_W2", "HPWR2_W3", "HPWR2_W4", "HPWR2_W5", "HPWR2_W6",
    ]
}
