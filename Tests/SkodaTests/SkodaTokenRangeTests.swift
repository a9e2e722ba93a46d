import Crypto
import Foundation
import JSON
@testable import Skoda
import Testing

/// Issue 20 item 3: a MySkoda access token whose `exp` is 9.3e18 (or 1e400) trapped in
/// `Int64(exp)`, and the refresh that fetched it ran again at every start: a crash loop. Such
/// a token is now a clear error, counted as a failed refresh; the service lives on.
@Suite("Skoda token expiries out of range", .serialized)
struct SkodaTokenRangeTests {
    static let outOfRange = ["9.3e18", "9300000000000000000", "9223372036854775807", "1e400", "-1e400", "-1e300",
                             "-1", "0", "100000000000", "1e300"]

    private func jwt(payload: String) -> String {
        "eyJhbGciOiJub25lIn0." + Base64.encodeURL(Array(payload.utf8)) + ".sig"
    }

    @Test("a JWT whose exp is huge, negative, zero or infinite is refused with the reason", arguments: outOfRange)
    func parseRefuses(exp: String) {
        #expect(throws: SkodaError.badToken("exp claim out of range (not a time between 1970 and 5138)")) {
            try SkodaToken.parse(jwt(payload: #"{"sub":"user","exp":\#(exp)}"#))
        }
    }

    @Test("an exp of another kind is refused as such; a fractional one is cut to whole seconds")
    func parseKinds() throws {
        #expect(throws: SkodaError.badToken("exp claim is a string, not a number")) {
            try SkodaToken.parse(jwt(payload: #"{"exp":"1764672000"}"#))
        }
        #expect(throws: SkodaError.badToken("exp claim is a null, not a number")) { try SkodaToken.parse(jwt(payload: #"{"exp":null}"#)) }
        #expect(throws: SkodaError.badToken("no exp claim")) { try SkodaToken.parse(jwt(payload: #"{"sub":"user"}"#)) }
        #expect(try SkodaToken.parse(jwt(payload: #"{"exp":1764672000.9}"#)).expires == 1_764_672_000)
        #expect(try SkodaToken.parse(jwt(payload: #"{"exp":99999999999}"#)).expires == 99_999_999_999)
    }

    @Test("the refresh endpoint's answer with such a token is a counted failure; the connection and old token stay",
          .timeLimit(.minutes(2)))
    func refreshAnswerRefused() throws {
        let rig = try SkodaRig()
        rig.host.startAll()
        #expect(rig.waitConnected(), "\(rig.status)")
        let goodExpiry = rig.status["token_expires"]
        for (index, exp) in ["9.3e18", "1e400", "-1e300", "9300000000000000000"].enumerated() {
            try rig.setMode("exp:" + exp)
            #expect(rig.command("refresh").ok)
            #expect(rig.loop.run(timeout: 10) { rig.status["stats"]?["token_refresh_failures"]?.intValue == index + 1 },
                    "exp \(exp): \(rig.status)")
            #expect(rig.status["token_error"]?.stringValue == "token unreadable: exp claim out of range (not a time between 1970 and 5138)")
            #expect(rig.status["token_expires"] == goodExpiry, "the good token is kept")
            #expect(rig.status["connection"]?.stringValue == "connected")
            if case .degraded? = rig.host.health(of: "skoda") {} else {
                Issue.record("health \(String(describing: rig.host.health(of: "skoda")))")
            }
        }
        try rig.setMode("ok")
        _ = rig.command("refresh")
        #expect(rig.loop.run(timeout: 10) { rig.status["token_error"]?.isNull == true }, "\(rig.status)")
        #expect(rig.status["stats"]?["token_refreshes"]?.intValue == 2)
        #expect(rig.host.health(of: "skoda") == .ok, "a good refresh clears the degraded health")
        rig.host.stopAll()
    }
}
