import Crypto
import Runtime
import Testing

@Suite struct Ed25519Tests {
    // RFC 8032 section 7.1, test 2: a one-byte message.
    let seed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
    let publicHex = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
    let signatureHex = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"

    @Test func matchesTheRFC8032TestVector() throws {
        let key = try Ed25519.PrivateKey(seed: Hex.decode(seed))
        #expect(Hex.encode(key.publicKey.raw) == publicHex)
        #expect(Hex.encode(key.sign([0x72])) == signatureHex)
        let publicKey = try Ed25519.PublicKey(raw: Hex.decode(publicHex))
        #expect(publicKey.verify(try Hex.decode(signatureHex), of: [0x72]))
    }

    @Test func refusesAChangedMessageOrSignature() throws {
        let key = try Ed25519.PrivateKey.generate()
        let message = Array("version=0.2.0".utf8)
        var signature = key.sign(message)
        #expect(key.publicKey.verify(signature, of: message))
        #expect(!key.publicKey.verify(signature, of: Array("version=0.2.1".utf8)))
        signature[10] ^= 0x01
        #expect(!key.publicKey.verify(signature, of: message))
        #expect(!key.publicKey.verify([], of: message))
        #expect(!key.publicKey.verify(Array(signature.prefix(63)), of: message))
    }

    @Test func refusesAnotherKeysSignature() throws {
        let signer = try Ed25519.PrivateKey.generate()
        let other = try Ed25519.PrivateKey.generate()
        #expect(!other.publicKey.verify(signer.sign([1, 2, 3]), of: [1, 2, 3]))
    }

    @Test func roundTripsTheSeed() throws {
        let key = try Ed25519.PrivateKey.generate()
        let again = try Ed25519.PrivateKey(seed: key.seed)
        #expect(again.publicKey.raw == key.publicKey.raw)
    }

    @Test func refusesKeysOfTheWrongLength() {
        #expect(throws: CryptoError.self) { try Ed25519.PrivateKey(seed: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: CryptoError.self) { try Ed25519.PublicKey(raw: [UInt8](repeating: 1, count: 33)) }
    }
}
