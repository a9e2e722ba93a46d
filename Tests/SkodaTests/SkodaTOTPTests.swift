import Crypto
import Foundation
import Runtime
@testable import Skoda
import TestSupport
import Testing

@Suite("Skoda TOTP, HMAC-SHA256 and base64url")
struct SkodaTOTPTests {
    @Test("HMAC-SHA256 matches RFC 4231 test cases 1 and 2")
    func hmacVectors() {
        let one = HMACSHA256.mac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
        #expect(Hex.encode(one) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let two = HMACSHA256.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(two) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("TOTP core matches RFC 6238's SHA-256 vectors (8 digits)")
    func rfc6238Vectors() {
        let key = Array("12345678901234567890123456789012".utf8)
        let vectors: [(Int64, String)] = [(59, "46119246"), (1_111_111_109, "68084774"), (1_111_111_111, "67062674"),
                                          (1_234_567_890, "91819424"), (2_000_000_000, "90698825"),
                                          (20_000_000_000, "77737706")]
        for (time, expected) in vectors {
            #expect(SkodaTOTP.code(key: key, counter: UInt64(time / 30), digits: 8) == expected, "t=\(time)")
        }
        // Six digits are the last six of the same number, zero-padded.
        #expect(SkodaTOTP.code(key: key, counter: UInt64(1_111_111_109 / 30)) == "084774")
    }

    @Test("the login code equals RFC 4226 computed step by step with the openssl CLI")
    func independentComputation() throws {
        let fcm = "fcm-token-for-the-test:APA91bExample"
        for time: Int64 in [1_700_000_000, 1_764_672_000, 1_764_672_029, 1_764_672_030] {
            #expect(SkodaTOTP.code(fcmToken: fcm, unixTime: time) == (try IndependentTOTP.code(fcmToken: fcm, unixTime: time)),
                    "t=\(time)")
        }
        // Inside one 30 s step the code stays, and the next step changes it.
        #expect(SkodaTOTP.code(fcmToken: fcm, unixTime: 1_764_672_000) == SkodaTOTP.code(fcmToken: fcm, unixTime: 1_764_672_029))
        #expect(SkodaTOTP.code(fcmToken: fcm, unixTime: 1_764_672_000) != SkodaTOTP.code(fcmToken: fcm, unixTime: 1_764_672_030))
    }

    @Test("base64url decodes JWT parts without padding; junk is refused")
    func base64url() throws {
        #expect(Base64.decode("eyJleHAiOjE3NjQ2NzIwMDB9") == Array("{\"exp\":1764672000}".utf8))
        #expect(Base64.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64.decode("aGk=") == Array("hi".utf8))
        #expect(Base64.decode("aGk") == Array("hi".utf8))
        #expect(Base64.decode("a") == nil)
        #expect(Base64.decode("a*bc") == nil)
        let token = try SkodaToken.parse("eyJhbGciOiJub25lIn0.eyJleHAiOjE3NjQ2NzIwMDB9.sig")
        #expect(token.expires == 1_764_672_000)
        #expect(throws: SkodaError.self) { try SkodaToken.parse("not-a-jwt") }
        #expect(throws: SkodaError.self) { try SkodaToken.parse("a.e30.c") } // {} has no exp
    }
}

/// RFC 4226 written out, with HMAC and SHA-256 from the openssl command line (not our code).
enum IndependentTOTP {
    static func code(fcmToken: String, unixTime: Int64) throws -> String {
        let directory = TemporaryDirectory(prefix: "totp")
        let tokenFile = directory.file("token")
        try fcmToken.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let key = try digest(["dgst", "-sha256", "-hex", tokenFile])
        // Step 1: the counter T = floor(time / 30) as 8 bytes, big-endian.
        let counter = UInt64(unixTime / 30)
        let message = (0..<8).map { UInt8((counter >> (56 - 8 * UInt64($0))) & 0xFF) }
        let messageFile = directory.file("counter")
        _ = FileManager.default.createFile(atPath: messageFile, contents: Data(message))
        // Step 2: HS = HMAC-SHA256(key, counter).
        let mac = try digest(["dgst", "-sha256", "-hex", "-mac", "HMAC", "-macopt", "hexkey:" + key, messageFile])
        let bytes = stride(from: 0, to: mac.count, by: 2).map {
            UInt8(mac[mac.index(mac.startIndex, offsetBy: $0)..<mac.index(mac.startIndex, offsetBy: $0 + 2)], radix: 16)!
        }
        // Step 3: dynamic truncation: offset = low nibble of the last byte, 31 bits from there.
        let offset = Int(bytes[31] & 0x0F)
        let binary = (UInt32(bytes[offset]) & 0x7F) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        // Step 4: mod 10^6, zero-padded.
        return String(format: "%06u", binary % 1_000_000)
    }

    private static func digest(_ arguments: [String]) throws -> String {
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
        guard result.status == 0, let hex = result.stdout.split(separator: " ").last else {
            throw IndependentError.openssl(result.stderr)
        }
        return hex.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    enum IndependentError: Error { case openssl(String) }
}
