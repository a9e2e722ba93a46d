import Crypto
import Testing

@Suite struct Base64Tests {
    /// RFC 4648 section 10: the test vectors for BASE64.
    static let rfc4648: [(text: String, encoded: String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test func encodesTheRFC4648Vectors() {
        for vector in Base64Tests.rfc4648 {
            #expect(Base64.encode(Array(vector.text.utf8)) == vector.encoded, "\(vector.text)")
        }
    }

    @Test func decodesTheRFC4648VectorsPaddedAndUnpadded() {
        for vector in Base64Tests.rfc4648 {
            #expect(Base64.decode(vector.encoded) == Array(vector.text.utf8), "\(vector.encoded)")
            let unpadded = String(vector.encoded.prefix { $0 != "=" })
            #expect(Base64.decode(unpadded) == Array(vector.text.utf8), "\(unpadded)")
        }
    }

    /// The URL-safe alphabet (RFC 4648 section 5) without padding: the same vectors with `=`
    /// dropped, and the two characters that differ from the standard alphabet.
    @Test func encodesURLSafeWithoutPadding() {
        for vector in Base64Tests.rfc4648 {
            #expect(Base64.encodeURL(Array(vector.text.utf8)) == String(vector.encoded.prefix { $0 != "=" }))
        }
        // 0xFB 0xFF: sextets 62, 63, 60: "+/8=" in the standard alphabet, "-_8" URL-safe.
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
        #expect(Base64.encodeURL([0xFB, 0xFF]) == "-_8")
        #expect(Base64.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64.decode("+/8=") == [0xFB, 0xFF])
    }

    @Test func refusesWhatIsNotBase64() {
        #expect(Base64.decode("Zm9v!") == nil)
        #expect(Base64.decode("Zm 9v") == nil)
        // One character past a whole quad carries fewer than 8 bits: no byte can end there.
        #expect(Base64.decode("Zm9vY") == nil)
        #expect(Base64.decode("Z") == nil)
    }
}
