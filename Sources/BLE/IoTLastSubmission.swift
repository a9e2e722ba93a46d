import JSON

/// The answer of `GET {app}/api/iot-devices/{id}/last-data-submission`, `{"timestamp",
/// "createdAt"}`: samples at or before `timestamp` were delivered. The timestamp is read as
/// seconds since the epoch (a number, or digits in a string; milliseconds when past year
/// 5138), or an ISO 8601 UTC time (`2026-12-06T15:04:05Z`, fraction and `+00:00` allowed).
public enum IoTLastSubmission {
    /// Seconds since the epoch of the last delivered sample; nil when the answer names none.
    public static func timestamp(_ answer: JSONValue) -> Int64? {
        guard let value = answer["timestamp"] else { return nil }
        if let number = value.integer(in: 0...Int64(1) << 50) { return seconds(number) }
        guard let text = value.stringValue else { return nil }
        let bytes = Array(text.utf8)
        if !bytes.isEmpty, bytes.count <= 16, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            var number: Int64 = 0
            for byte in bytes { number = number * 10 + Int64(byte - 0x30) }
            return seconds(number)
        }
        return iso8601(bytes)
    }

    private static func seconds(_ number: Int64) -> Int64 { number > 100_000_000_000 ? number / 1000 : number }

    /// `YYYY-MM-DDTHH:MM:SS` followed by nothing, a fraction, `Z` or `+00:00`.
    static func iso8601(_ bytes: [UInt8]) -> Int64? {
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54 || bytes[10] == 0x20,
              bytes[13] == 0x3A, bytes[16] == 0x3A,
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var rest = bytes[19...]
        if rest.first == 0x2E { rest = rest.drop { $0 == 0x2E || ($0 >= 0x30 && $0 <= 0x39) } }
        let zone = String(decoding: rest, as: UTF8.self)
        guard zone.isEmpty || zone == "Z" || zone == "+00:00" else { return nil }
        return GATTDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59)).epochSeconds
    }
}
