import Crypto
import Runtime
import Testing

/// RFC 4231 section 4: the HMAC-SHA-256 results of test cases 1-4, 6 and 7 (case 5 is a
/// truncated output, which this API does not produce).
@Suite struct HMACSHA256Tests {
    static let longKey = [UInt8](repeating: 0xAA, count: 131)

    static let cases: [(name: String, key: [UInt8], data: [UInt8], mac: String)] = [
        ("1", [UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("2", Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("3", [UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("4", Array(0x01...0x19), [UInt8](repeating: 0xCD, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ("6", longKey, Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ("7", longKey, Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                              + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test func matchesTheRFC4231TestCases() {
        for test in HMACSHA256Tests.cases {
            #expect(Hex.encode(HMACSHA256.mac(key: test.key, message: test.data)) == test.mac, "test case \(test.name)")
        }
    }

    /// A flipped bit in the key or the data gives another MAC (what a verifier compares).
    @Test func aFlippedBitChangesTheMAC() {
        for test in HMACSHA256Tests.cases {
            var key = test.key
            key[0] ^= 0x01
            #expect(Hex.encode(HMACSHA256.mac(key: key, message: test.data)) != test.mac, "test case \(test.name)")
            var data = test.data
            data[data.count - 1] ^= 0x80
            #expect(Hex.encode(HMACSHA256.mac(key: test.key, message: data)) != test.mac, "test case \(test.name)")
        }
    }
}
