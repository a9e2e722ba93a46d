import Crypto
import Testing

@Suite struct SecureRandomTests {
    @Test func returnsTheRequestedNumberOfBytes() throws {
        #expect(try SecureRandom.bytes(0).isEmpty)
        #expect(try SecureRandom.bytes(1).count == 1)
        #expect(try SecureRandom.bytes(4096).count == 4096)
    }

    @Test func successiveDrawsDiffer() throws {
        // 2^-256 chance of a false failure.
        #expect(try SecureRandom.bytes(32) != SecureRandom.bytes(32))
    }

    @Test func bytesAreNotConstant() throws {
        let bytes = try SecureRandom.bytes(4096)
        // A stuck generator (all zeros, one repeated byte) would show up as few distinct values.
        #expect(Set(bytes).count > 200)
    }
}

@Suite struct CryptoLibraryTests {
    @Test func reportsAnOpenSSLVersion() {
        #expect(CryptoLibrary.version.hasPrefix("OpenSSL 3"))
    }
}
