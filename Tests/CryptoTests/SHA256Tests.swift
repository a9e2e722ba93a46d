import Crypto
import Runtime
import Testing

@Suite struct SHA256Tests {
    @Test func hashesTheFIPSAbcVector() {
        #expect(Hex.encode(SHA256.hash(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256.hash("abc")) == Hex.encode(SHA256.hash(Array("abc".utf8))))
    }

    @Test func hashesTheEmptyMessage() {
        #expect(Hex.encode(SHA256.hash([UInt8]()))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(SHA256().finalize()) == Hex.encode(SHA256.hash([UInt8]())))
    }

    @Test func hashesTheTwoBlockVector() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(Hex.encode(SHA256.hash(message))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func hashesAMillionAs() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Hex.encode(SHA256.hash(million)) == expected)
        million.withUnsafeBytes { raw in
            #expect(Hex.encode(SHA256.hash(raw)) == expected)
        }
        // The same vector fed in 1,000 pieces of 1,000 bytes, as a chunked download would.
        let hasher = SHA256()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000)
        for _ in 0..<1_000 { hasher.update(piece) }
        #expect(Hex.encode(hasher.finalize()) == expected)
    }

    @Test func incrementalEqualsOneShotOverRandomSplits() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let count = Int.random(in: 0...5_000, using: &generator)
            let message = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let hasher = SHA256()
            var offset = 0
            while offset < count {
                let piece = Int.random(in: 0...(count - offset), using: &generator)
                message[offset..<(offset + piece)].withUnsafeBytes { hasher.update($0) }
                offset += piece
            }
            #expect(hasher.finalize() == SHA256.hash(message), "split hashing differs for \(count) bytes")
        }
    }

    @Test func finalizeStartsOverForTheNextMessage() {
        let hasher = SHA256()
        hasher.update("first message")
        _ = hasher.finalize()
        hasher.update("abc")
        #expect(hasher.finalize() == SHA256.hash("abc"))
    }

    @Test func digestsAreThirtyTwoBytes() {
        #expect(SHA256.hash("x").count == SHA256.digestCount)
        #expect(SHA256.digestCount == 32)
    }
}
