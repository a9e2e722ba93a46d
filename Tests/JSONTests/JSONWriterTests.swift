import JSON
import Testing

/// JSONWriter must print exactly what `JSONValue.serialized()` prints (a receiver must not be
/// able to tell which path a message took), and reuse its buffer across messages.
@Suite("JSONWriter writes what serialized() prints")
struct JSONWriterTests {
    static let values: [JSONValue] = [
        ["ts": .int(1_732_179_000_123), "id": .int(0x1FFF_FFFF), "dlc": 8, "data": [0, 255, 16, 1]],
        ["temp_c": 21.374999999999996, "volt": 3.3, "tiny": -2.25e-7, "big": .int(9_007_199_254_740_992), "neg": -1],
        ["zero": .number(-0.0), "e15": .number(1e15), "below": .number(999_999_999_999_999), "int32": .int(Int32.max),
         "past32": .int(3_000_000_000), "max": .number(Double.greatestFiniteMagnitude), "third": .number(1.0 / 3),
         "nan": .number(.nan), "inf": .number(-.infinity), "min": .int(Int64.min + 1)],
        ["text": "quote \" backslash \\ newline \n tab \t cr \r bs \u{08} ff \u{0C} bell \u{07} del \u{7F} é 日本 🚗",
         "empty": "", "null": .null, "flags": [true, false]],
        ["nul": "a\u{0}b \u{08}\u{0C}", "key \"quoted\"\n": 1],
        [[], [:], [[[]]], ["": ""]],
        .string("top"), .number(42.5), .null, .bool(true),
    ]

    @Test("byte for byte", arguments: values)
    func sameBytes(value: JSONValue) {
        var writer = JSONWriter()
        writer.value(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == value.serialized())
    }

    @Test("numbers: sensor-style decimals (the fast path) and any double print as serialized() prints them")
    func numbersMatch() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0.1, 0.2, 0.3, 0.05, 1e-4, 9.9999e-5, 0.0001234, 99_999_999_999.9999, 1e11 + 0.5,
                                123_456.789, -21.5, 3.105, 0.30000000000000004, 2.675, 1.005, -0.0001]
        for _ in 0..<20_000 {
            let places = Int.random(in: 1...6, using: &generator)
            var scale = 1.0
            for _ in 0..<places { scale *= 10 }
            values.append(Double(Int.random(in: -100_000_000...100_000_000, using: &generator)) / scale)
            values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
            values.append(Double.random(in: -1000...1000, using: &generator))
        }
        var writer = JSONWriter()
        var mismatches: [String] = []
        for value in values {
            writer.reset()
            writer.number(value)
            let ours = String(decoding: writer.bytes, as: UTF8.self)
            let theirs = JSONValue.number(value).serialized()
            if ours != theirs && mismatches.count < 5 { mismatches.append("\(value.bitPattern): \(ours) vs \(theirs)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("member by member, like a publisher writes, and reset reuses the storage")
    func memberByMember() {
        var writer = JSONWriter(capacity: 64)
        for round in 0..<3 {
            writer.reset()
            writer.beginObject()
            writer.key("id")
            writer.string("A4:C1:38:00:00:0" + String(round))
            writer.key("rssi")
            writer.int(-60 - round)
            writer.key("temperature")
            writer.number(21.5)
            writer.key("uuids")
            writer.beginArray()
            writer.string("181a")
            writer.string("fcd2")
            writer.endArray()
            writer.key("nested")
            writer.beginObject()
            writer.endObject()
            writer.key("ok")
            writer.bool(true)
            writer.endObject()
            let expected: JSONValue = ["id": .string("A4:C1:38:00:00:0" + String(round)), "rssi": .int(-60 - round),
                                       "temperature": 21.5, "uuids": ["181a", "fcd2"], "nested": [:], "ok": true]
            #expect(String(decoding: writer.bytes, as: UTF8.self) == expected.serialized())
        }
        #expect(writer.bytes.capacity >= 64)
    }
}
