/// Blood Pressure Measurement (0x2A35), as the Bluetooth Blood Pressure Service lays it out:
/// flags u8 (bit0 unit kPa else mmHg, bit1 time stamp, bit2 pulse rate, bit3 user id, bit4
/// measurement status), systolic, diastolic, mean arterial pressure (SFLOAT each), then the
/// optional time stamp (Date Time, 7 bytes), pulse rate (SFLOAT, bpm), user id u8 and
/// status u16, in that order.
public struct BloodPressureMeasurement: Equatable, Sendable {
    public static let uuid: UInt16 = 0x2A35
    /// mmHg per kPa (1 mmHg = 133.322 Pa).
    static let mmHgPerKilopascal = 7.500_616_827

    public var isKilopascal: Bool
    public var systolic: IEEE11073Float
    public var diastolic: IEEE11073Float
    public var meanArterialPressure: IEEE11073Float
    public var time: GATTDateTime?
    public var pulseRate: IEEE11073Float?
    public var userID: UInt8?
    public var status: UInt16?

    /// Decodes one characteristic value; nil when shorter than its flags announce or its
    /// time stamp is no date.
    public init?(_ value: ArraySlice<UInt8>) {
        guard value.count >= 7 else { return nil }
        let flags = value.byte(0)
        var needed = 7
        if flags & 0x02 != 0 { needed += GATTDateTime.byteCount }
        if flags & 0x04 != 0 { needed += 2 }
        if flags & 0x08 != 0 { needed += 1 }
        if flags & 0x10 != 0 { needed += 2 }
        guard value.count >= needed else { return nil }
        isKilopascal = flags & 0x01 != 0
        systolic = .sfloat(UInt16(value.unsignedLE(1, 2)))
        diastolic = .sfloat(UInt16(value.unsignedLE(3, 2)))
        meanArterialPressure = .sfloat(UInt16(value.unsignedLE(5, 2)))
        var index = 7
        if flags & 0x02 != 0 {
            guard let stamp = GATTDateTime(value.dropFirst(index)) else { return nil }
            time = stamp
            index += GATTDateTime.byteCount
        }
        if flags & 0x04 != 0 {
            pulseRate = .sfloat(UInt16(value.unsignedLE(index, 2)))
            index += 2
        }
        if flags & 0x08 != 0 {
            userID = value.byte(index)
            index += 1
        }
        if flags & 0x10 != 0 { status = UInt16(value.unsignedLE(index, 2)) }
    }

    /// A pressure in mmHg whatever unit the cuff used; nil for the special values.
    public func millimetresOfMercury(_ pressure: IEEE11073Float) -> Double? {
        guard let value = pressure.finite else { return nil }
        guard isKilopascal else { return value }
        // Rounded to 0.1 mmHg: a cuff's kPa has one decimal, more digits would be noise.
        return (value * BloodPressureMeasurement.mmHgPerKilopascal * 10).rounded() / 10
    }

    /// Systolic and diastolic in mmHg, when both are numbers (the backend's `blood_pressure`).
    public var systolicAndDiastolic: (systolic: Double, diastolic: Double)? {
        guard let systolic = millimetresOfMercury(systolic), let diastolic = millimetresOfMercury(diastolic) else { return nil }
        return (systolic, diastolic)
    }

    /// The pulse in bpm, when sent and a number.
    public var pulse: Double? { pulseRate?.finite }
}
