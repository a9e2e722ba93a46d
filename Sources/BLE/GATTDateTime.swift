/// The GATT Date Time characteristic (0x2A08), also the time stamp inside Blood Pressure
/// Measurement: year u16 LE, month, day, hours, minutes, seconds (7 bytes). Year 0, month 0
/// or day 0 mean "not known". Cuffs keep their clock in it and stamp readings with it.
public struct GATTDateTime: Equatable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public static let uuid: UInt16 = 0x2A08
    public static let byteCount = 7

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The 7 bytes at the start of `bytes`; nil when too short or a field is out of range.
    public init?(_ bytes: ArraySlice<UInt8>) {
        guard bytes.count >= GATTDateTime.byteCount else { return nil }
        year = Int(bytes.unsignedLE(0, 2))
        month = Int(bytes.byte(2))
        day = Int(bytes.byte(3))
        hour = Int(bytes.byte(4))
        minute = Int(bytes.byte(5))
        second = Int(bytes.byte(6))
        guard year == 0 || (1582...9999).contains(year), month <= 12, day <= 31, hour <= 23, minute <= 59,
              second <= 59 else { return nil }
    }

    /// The wall time (UTC) of `seconds` since the epoch.
    public init(epochSeconds seconds: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Civil date from days since 1970-01-01 (the proleptic Gregorian calendar in 400-year eras).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let civilDay = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let civilMonth = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        self.init(year: Int(yearOfEra + era * 400 + (civilMonth <= 2 ? 1 : 0)), month: Int(civilMonth), day: Int(civilDay),
                  hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
    }

    /// Whether the date is complete (no "not known" field).
    public var isKnown: Bool { year != 0 && month != 0 && day != 0 }

    /// Seconds since the epoch when the fields name a real date, read as UTC; nil otherwise
    /// (an unknown field, 31 February).
    public var epochSeconds: Int64? {
        guard isKnown, day <= GATTDateTime.daysIn(month: month, year: year) else { return nil }
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The 7 bytes to write.
    public var bytes: [UInt8] {
        [UInt8(truncatingIfNeeded: year), UInt8(truncatingIfNeeded: year >> 8), UInt8(truncatingIfNeeded: month),
         UInt8(truncatingIfNeeded: day), UInt8(truncatingIfNeeded: hour), UInt8(truncatingIfNeeded: minute),
         UInt8(truncatingIfNeeded: second)]
    }
}
