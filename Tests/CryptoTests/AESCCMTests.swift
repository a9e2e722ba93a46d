import Crypto
import Runtime
import Testing

/// RFC 3610 section 8: packet vectors with the 13-byte nonce, the AES-128 key and the tag
/// sizes this API supports. Each packet's first `header` bytes are authenticated only
/// (associated data); the rest is encrypted.
@Suite struct AESCCMTests {
    struct Packet {
        let name: String
        let nonce: String
        let header: String
        let plaintext: String
        let ciphertext: String
        let tag: String
    }

    static let key = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"

    static let packets: [Packet] = [
        Packet(name: "#1", nonce: "00000003020100a0a1a2a3a4a5", header: "0001020304050607",
               plaintext: "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
               ciphertext: "588c979a61c663d2f066d0c2c0f989806d5f6b61dac384", tag: "17e8d12cfdf926e0"),
        Packet(name: "#2", nonce: "00000004030201a0a1a2a3a4a5", header: "0001020304050607",
               plaintext: "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
               ciphertext: "72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3b", tag: "a091d56e10400916"),
        Packet(name: "#3", nonce: "00000005040302a0a1a2a3a4a5", header: "0001020304050607",
               plaintext: "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
               ciphertext: "51b1e5f44a197d1da46b0f8e2d282ae871e838bb64da859657", tag: "4adaa76fbd9fb0c5"),
        Packet(name: "#4", nonce: "00000006050403a0a1a2a3a4a5", header: "000102030405060708090a0b",
               plaintext: "0c0d0e0f101112131415161718191a1b1c1d1e",
               ciphertext: "a28c6865939a9a79faaa5c4c2a9d4a91cdac8c", tag: "96c861b9c9e61ef1"),
        // M = 10: a 10-byte tag.
        Packet(name: "#7", nonce: "00000009080706a0a1a2a3a4a5", header: "0001020304050607",
               plaintext: "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
               ciphertext: "0135d1b2c95f41d5d1d4fec185d166b8094e999dfed96c", tag: "048c56602c97acbb7490"),
    ]

    @Test func sealsTheRFC3610PacketVectors() throws {
        let key = try Hex.decode(AESCCMTests.key)
        for packet in AESCCMTests.packets {
            let tagCount = packet.tag.count / 2
            let sealed = AESCCM.seal(key: key, nonce: try Hex.decode(packet.nonce), plaintext: try Hex.decode(packet.plaintext),
                                     tagCount: tagCount, associatedData: try Hex.decode(packet.header))
            #expect(sealed.map { Hex.encode($0) } == packet.ciphertext + packet.tag, "packet \(packet.name)")
        }
    }

    @Test func opensTheRFC3610PacketVectors() throws {
        let key = try Hex.decode(AESCCMTests.key)
        for packet in AESCCMTests.packets {
            let opened = AESCCM.open(key: key, nonce: try Hex.decode(packet.nonce),
                                     ciphertext: try Hex.decode(packet.ciphertext)[...], tag: try Hex.decode(packet.tag)[...],
                                     associatedData: try Hex.decode(packet.header))
            #expect(opened.map { Hex.encode($0) } == packet.plaintext, "packet \(packet.name)")
        }
    }

    /// A flipped bit anywhere (ciphertext, tag, associated data, nonce, key) must fail the tag.
    @Test func refusesAFlippedBitAnywhere() throws {
        let key = try Hex.decode(AESCCMTests.key)
        for packet in AESCCMTests.packets {
            let nonce = try Hex.decode(packet.nonce), header = try Hex.decode(packet.header)
            let ciphertext = try Hex.decode(packet.ciphertext), tag = try Hex.decode(packet.tag)
            func opens(_ key: [UInt8], _ nonce: [UInt8], _ ciphertext: [UInt8], _ tag: [UInt8], _ header: [UInt8]) -> Bool {
                AESCCM.open(key: key, nonce: nonce, ciphertext: ciphertext[...], tag: tag[...], associatedData: header) != nil
            }
            #expect(opens(key, nonce, ciphertext, tag, header), "packet \(packet.name)")
            for index in [0, ciphertext.count / 2, ciphertext.count - 1] {
                var changed = ciphertext
                changed[index] ^= 0x01
                #expect(!opens(key, nonce, changed, tag, header), "packet \(packet.name), ciphertext byte \(index)")
            }
            for index in [0, tag.count - 1] {
                var changed = tag
                changed[index] ^= 0x80
                #expect(!opens(key, nonce, ciphertext, changed, header), "packet \(packet.name), tag byte \(index)")
            }
            var changedHeader = header
            changedHeader[0] ^= 0x01
            #expect(!opens(key, nonce, ciphertext, tag, changedHeader), "packet \(packet.name), header")
            #expect(!opens(key, nonce, ciphertext, tag, []), "packet \(packet.name), header dropped")
            var changedNonce = nonce
            changedNonce[12] ^= 0x01
            #expect(!opens(key, changedNonce, ciphertext, tag, header), "packet \(packet.name), nonce")
            var changedKey = key
            changedKey[15] ^= 0x01
            #expect(!opens(changedKey, nonce, ciphertext, tag, header), "packet \(packet.name), key")
            // A tag cut short is another tag size, not a prefix that still verifies.
            #expect(!opens(key, nonce, ciphertext, Array(tag.prefix(4)), header), "packet \(packet.name), short tag")
        }
    }

    /// BTHome v2 and Xiaomi MiBeacon: 16-byte key, 13-byte nonce, 4-byte tag, no associated
    /// data. No RFC vector has a 4-byte tag with this nonce size, so this one round-trips and
    /// refuses a flipped tag.
    @Test func aFourByteTagWithoutAssociatedDataRoundTrips() throws {
        let key = try Hex.decode(AESCCMTests.key)
        let nonce = try Hex.decode(AESCCMTests.packets[0].nonce)
        let plaintext: [UInt8] = [0x02, 0xCA, 0x09, 0x03, 0xBF, 0x13]
        let sealed = try #require(AESCCM.seal(key: key, nonce: nonce, plaintext: plaintext, tagCount: 4))
        #expect(sealed.count == plaintext.count + 4)
        #expect(AESCCM.open(key: key, nonce: nonce, ciphertext: sealed[..<6], tag: sealed[6...]) == plaintext)
        var forged = sealed
        forged[9] ^= 0x01
        #expect(AESCCM.open(key: key, nonce: nonce, ciphertext: forged[..<6], tag: forged[6...]) == nil)
    }

    @Test func refusesWrongSizes() throws {
        let key = try Hex.decode(AESCCMTests.key)
        let nonce = try Hex.decode(AESCCMTests.packets[0].nonce)
        #expect(AESCCM.seal(key: Array(key.prefix(15)), nonce: nonce, plaintext: [1]) == nil)
        #expect(AESCCM.seal(key: key, nonce: Array(nonce.prefix(12)), plaintext: [1]) == nil)
        #expect(AESCCM.seal(key: key, nonce: nonce, plaintext: [1], tagCount: 3) == nil)
        #expect(AESCCM.seal(key: key, nonce: nonce, plaintext: [1], tagCount: 18) == nil)
        #expect(AESCCM.open(key: key, nonce: nonce, ciphertext: [1], tag: [1, 2, 3]) == nil)
    }
}
