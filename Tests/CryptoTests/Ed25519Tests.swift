import Crypto
import Runtime
import Testing

@Suite struct Ed25519Tests {
    /// RFC 8032 section 7.1, TEST 1-3: secret key (the seed), public key, message, signature.
    static let vectors: [(name: String, seed: String, publicKey: String, message: String, signature: String)] = [
        ("TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ("TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ]

    @Test func matchesTheRFC8032TestVectors() throws {
        for vector in Ed25519Tests.vectors {
            let key = try Ed25519.PrivateKey(seed: Hex.decode(vector.seed))
            let message = try Hex.decode(vector.message)
            #expect(Hex.encode(key.publicKey.raw) == vector.publicKey, "\(vector.name)")
            #expect(Hex.encode(key.sign(message)) == vector.signature, "\(vector.name)")
            let publicKey = try Ed25519.PublicKey(raw: Hex.decode(vector.publicKey))
            #expect(publicKey.verify(try Hex.decode(vector.signature), of: message), "\(vector.name)")
        }
    }

    /// The RFC's signatures with one bit flipped (in R, in S, or in the message) must not verify.
    @Test func refusesTheRFC8032SignaturesWithAFlippedBit() throws {
        for vector in Ed25519Tests.vectors {
            let publicKey = try Ed25519.PublicKey(raw: Hex.decode(vector.publicKey))
            let message = try Hex.decode(vector.message)
            let signature = try Hex.decode(vector.signature)
            for index in [0, 31, 32, 63] {
                var changed = signature
                changed[index] ^= 0x01
                #expect(!publicKey.verify(changed, of: message), "\(vector.name), signature byte \(index)")
            }
            #expect(!publicKey.verify(signature, of: message + [0x00]), "\(vector.name), message extended")
            if !message.isEmpty {
                var changed = message
                changed[0] ^= 0x01
                #expect(!publicKey.verify(signature, of: changed), "\(vector.name), message byte 0")
            }
        }
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
