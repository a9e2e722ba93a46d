import Runtime
import Testing

@Suite("Hex digits")
struct HexDigitsTests {
    @Test("one table writes both cases: bytes, fixed-width numbers, single digits")
    func bothCases() {
        #expect(Hex.encode([0x0A, 0xBC, 0xFF]) == "0abcff")
        #expect(Hex.encode([0x0A, 0xBC, 0xFF], .upper) == "0ABCFF")
        #expect(Hex.encode(0x1ABCDEF, digits: 8, .upper) == "01ABCDEF")
        #expect(Hex.encode(0x7FF, digits: 3) == "7ff")
        #expect(Hex.encode(0x12345, digits: 3, .upper) == "345", "high digits dropped")
        #expect(Hex.digit(0xC, .upper) == UInt8(ascii: "C") && Hex.digit(0xC) == UInt8(ascii: "c"))
        var bytes: [UInt8] = []
        Hex.appendByte(0x5E, .upper, to: &bytes)
        #expect(bytes == Array("5E".utf8))
    }

    @Test("digit values in either case; anything else is nil")
    func values() {
        #expect(Hex.value(of: UInt8(ascii: "7")) == 7)
        #expect(Hex.value(of: UInt8(ascii: "b")) == 11 && Hex.value(of: UInt8(ascii: "B")) == 11)
        #expect(Hex.value(of: UInt8(ascii: "g")) == nil && Hex.value(of: UInt8(ascii: ":")) == nil)
    }
}
