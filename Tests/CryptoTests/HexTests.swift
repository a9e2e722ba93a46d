import Crypto
import Runtime
import Testing

@Suite struct HexTests {
    @Test func encodesLowercaseTwoDigitsPerByte() {
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Hex.encode([]) == "")
    }

    @Test func roundTripsEveryByteValue() throws {
        let all = (0...255).map { UInt8($0) }
        #expect(try Hex.decode(Hex.encode(all)) == all)
    }

    @Test func roundTripsRandomBytes() throws {
        for _ in 0..<100 {
            let bytes = (0..<Int.random(in: 0...64)).map { _ in UInt8.random(in: 0...255) }
            #expect(try Hex.decode(Hex.encode(bytes)) == bytes)
        }
    }

    @Test func acceptsUppercaseDigits() throws {
        #expect(try Hex.decode("DEADbeef") == [0xde, 0xad, 0xbe, 0xef])
    }

    @Test func rejectsAnOddNumberOfDigits() {
        #expect(throws: CryptoError.invalidHex(reason: "odd number of digits (3)")) { try Hex.decode("abc") }
    }

    @Test(arguments: ["zz", "0g", "12 4", "0x12", "é1", "+1", "--"])
    func rejectsNonHexCharacters(_ text: String) {
        #expect(throws: CryptoError.self) { try Hex.decode(text) }
    }

    @Test func namesTheOffsetOfTheBadDigit() {
        #expect(throws: CryptoError.invalidHex(reason: "not a hex digit at offset 3")) { try Hex.decode("abcx") }
        let message = CryptoError.invalidHex(reason: "not a hex digit at offset 3").description
        #expect(message == "invalid hex: not a hex digit at offset 3")
    }
}
