import JSON
import Testing

@Suite("Numbers print exactly")
struct JSONNumberTests {
    @Test("integers print as plain digits: no exponent, no .0", arguments: [
        (0.0, "0"), (-1, "-1"), (42, "42"), (1_732_179_000_123, "1732179000123"),
        (9_007_199_254_740_992, "9007199254740992"), (-9_007_199_254_740_992, "-9007199254740992"),
        (1e15, "1000000000000000"), (1e16, "10000000000000000"),
        (4_294_967_295, "4294967295"), (536_870_911, "536870911"), (-0.0, "0"),
    ] as [(Double, String)])
    func integersPrintPlain(value: Double, text: String) {
        #expect(JSONValue.number(value).serialized() == text)
    }

    @Test("the integer constructor takes any integer type")
    func intConstructor() {
        #expect(JSONValue.int(Int64(1_732_179_000_123)).serialized() == "1732179000123")
        #expect(JSONValue.int(UInt32(0x1FFF_FFFF)).serialized() == "536870911")
        #expect(JSONValue.int(Int8(-5)).serialized() == "-5")
    }

    @Test("fractions print in the fewest digits that read back to the same double", arguments: [
        (0.1, "0.1"), (1.5, "1.5"), (-2.25e-7, "-2.25e-07"), (1e300, "1e+300"),
        (0.30000000000000004, "0.30000000000000004"), (1e-300, "1e-300"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (21.374999999999996, "21.374999999999996"), (123.456, "123.456"),
    ] as [(Double, String)])
    func fractionsPrintShortest(value: Double, text: String) throws {
        let printed = JSONValue.number(value).serialized()
        #expect(printed == text)
        #expect(try JSONValue.parse(printed) == .number(value))
    }

    @Test("doubles parse back equal", arguments: [0.1, 1.5, -2.25e-7, 1e300, .leastNonzeroMagnitude, 2.0.squareRoot(), -0.5, 1e21, 123456789012345680])
    func doublesRoundTrip(value: Double) throws {
        #expect(try JSONValue.parse(JSONValue.number(value).serialized()).doubleValue == value)
        // Inside containers too (raw cJSON items must sit well among siblings).
        let nested: JSONValue = ["v": [.number(value), 1, .number(value)]]
        #expect(try JSONValue.parse(nested.serialized()) == nested)
    }

    @Test("NaN and infinity, which JSON cannot say, print as null")
    func nonFinitePrintsNull() {
        #expect(JSONValue.array([.number(.nan), .number(.infinity), .number(-.infinity)]).serialized() == "[null,null,null]")
    }

    @Test("intValue is the number when it is an integer that fits")
    func intValue() throws {
        #expect(JSONValue.number(1_732_179_000_123).intValue == 1_732_179_000_123)
        #expect(JSONValue.number(-3).intValue == -3)
        #expect(JSONValue.number(1.5).intValue == nil)
        #expect(JSONValue.number(1e19).intValue == nil)
        #expect(JSONValue.string("1").intValue == nil)
        #expect(try JSONValue.parse("9007199254740993").intValue == 9_007_199_254_740_992, "beyond 2^53 rounds, as in JavaScript")
    }

    @Test("integer(in:) takes parsed numbers in range, refuses huge, negative and infinite ones", arguments: [
        ("1700003600", 1_700_003_600), ("1700003600.9", 1_700_003_600), ("9.3e18", nil), ("9300000000000000000", nil),
        ("1e400", nil), ("-1e400", nil), ("-1e300", nil), ("0", nil), ("1e11", nil), ("99999999999", 99_999_999_999),
        ("\"1700003600\"", nil), ("null", nil), ("true", nil), ("[1]", nil),
    ] as [(String, Int64?)])
    func integerInRange(text: String, expected: Int64?) throws {
        // cJSON reads 1e400 as infinity: exactly what `Int64(doubleValue!)` trapped on.
        let value = try JSONValue.parse(text)
        #expect(value.integer(in: 1...99_999_999_999) == expected)
    }
}
