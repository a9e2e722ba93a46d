import CarData
import Crypto
import Foundation
import JSON
import Testing

/// The byte-level parts of BMW CarData: every parser gets good input from the reference and
/// bad input it must reject without crashing.
@Suite("BMW CarData parsing")
struct CarDataParsingTests {
    private func jwt(exp: Int) -> String {
        Base64.encodeURL(Array(#"{"alg":"RS256"}"#.utf8)) + "." + Base64.encodeURL(Array("{\"exp\":\(exp),\"sub\":\"x\"}".utf8)) + ".c2ln"
    }

    @Test("PKCE: RFC 7636 appendix B's verifier gives its challenge; generated verifiers are 43 url-safe chars")
    func pkce() throws {
        #expect(PKCEPair(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let a = try PKCEPair.generate(), b = try PKCEPair.generate()
        #expect(a.verifier.count == 43 && a.verifier != b.verifier)
        #expect(!a.verifier.contains("=") && !a.verifier.contains("+") && !a.verifier.contains("/"))
    }

    @Test("Base64 round-trips every length; junk is refused")
    func base64() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            #expect(Base64.decode(Base64.encodeURL(bytes)) == bytes)
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
        }
        #expect(Base64.decode("ab$d") == nil)
        #expect(Base64.decode("a") == nil)
    }

    @Test("JWT exp is read; malformed tokens are reasons, not crashes")
    func jwtExpiry() throws {
        #expect(try JWTClaims.parse(jwt(exp: 1_760_000_000)).get().expiry == 1_760_000_000)
        for bad in ["", "a.b", "a.b.c.d", "x.!!!.y", "x." + Base64.encodeURL(Array("[1]".utf8)) + ".y",
                    "x." + Base64.encodeURL(Array(#"{"exp":"soon"}"#.utf8)) + ".y"] {
            if case .success = JWTClaims.parse(bad) { Issue.record("accepted \(bad)") }
        }
    }

    @Test("token responses: exp from the id_token, refresh keeps gcid, no id_token or garbage is an error")
    func tokenResponses() throws {
        let body = #"{"access_token":"at","token_type":"Bearer","expires_in":3599,"refresh_token":"rt","scope":"openid","id_token":"\#(jwt(exp: 1_700_003_000))","gcid":"g-1"}"#
        let tokens = try CarDataTokens.parse(Array(body.utf8), now: 1_700_000_000).get()
        #expect(tokens.idTokenExpiry == 1_700_003_000 && tokens.gcid == "g-1" && tokens.refreshToken == "rt")
        #expect(tokens.refreshTokenExpiry == 1_700_000_000 + 14 * 24 * 3600)
        let refreshed = #"{"access_token":"at2","expires_in":3599,"refresh_token":"rt2","id_token":"opaque"}"#
        let next = try CarDataTokens.parse(Array(refreshed.utf8), now: 1_700_001_000, previous: tokens).get()
        #expect(next.gcid == "g-1" && next.scope == "openid" && next.idTokenExpiry == 1_700_001_000 + 3599)
        for bad in [#"{"access_token":"at","refresh_token":"rt","gcid":"g"}"#, "<html>oops</html>", "", "[]", #"{"id_token":5}"#] {
            if case .success = CarDataTokens.parse(Array(bad.utf8), now: 0, previous: tokens) { Issue.record("accepted \(bad)") }
        }
    }

    @Test("device code answers and token polls are classified as the reference says")
    func deviceFlow() throws {
        let grant = try DeviceCodeGrant.parse(Array(#"{"user_code":"U","device_code":"D","verification_uri":"https://v","verification_uri_complete":"https://v?c=U","expires_in":600}"#.utf8)).get()
        #expect(grant.interval == 5 && grant.expiresIn == 600 && grant.verificationURIComplete == "https://v?c=U")
        if case .success = DeviceCodeGrant.parse(Array("<html/>".utf8)) { Issue.record("accepted HTML") }
        func poll(_ status: Int, _ error: String) -> TokenPollOutcome {
            TokenPollOutcome.classify(status: status, body: Array("{\"error\":\"\(error)\"}".utf8), now: 0)
        }
        #expect(poll(403, "authorization_pending") == .pending)
        #expect(poll(400, "slow_down") == .slowDown)
        #expect(poll(403, "access_denied") == .denied)
        #expect(poll(401, "expired_token") == .expired)
        #expect(poll(401, "invalid_client") == .invalidClient)
        #expect(poll(400, "invalid_request") == .failed("HTTP 400: invalid_request"))
        // A 5xx is BMW's hiccup (polling goes on), unless its gateway names a dead token; a 4xx
        // without an OAuth error is final.
        #expect(TokenPollOutcome.classify(status: 502, body: Array("<html>".utf8), now: 0) == .serverError(status: 502))
        #expect(TokenPollOutcome.classify(status: 404, body: Array("<html>".utf8), now: 0) == .failed("HTTP 404 without an OAuth error"))
        let fault = #"{"fault":{"faultstring":"Invalid Access Token","detail":{"errorcode":"keymanagement.service.invalid_access_token"}}}"#
        #expect(TokenPollOutcome.classify(status: 500, body: Array(fault.utf8), now: 0)
                == .failed("HTTP 500: keymanagement.service.invalid_access_token"))
        if case .failed = TokenPollOutcome.classify(status: 200, body: Array("<html>".utf8), now: 0) {} else { Issue.record("HTML 200 is a failure") }
    }

    @Test("refresh schedule: 45 min or 10 min before exp, whichever first; a day's warning for the login")
    func schedule() {
        #expect(RefreshSchedule.delay(obtained: 0, idTokenExpiry: 3600, now: 0) == 45 * 60)
        #expect(RefreshSchedule.delay(obtained: 0, idTokenExpiry: 1800, now: 0) == 20 * 60)
        #expect(RefreshSchedule.delay(obtained: 0, idTokenExpiry: 300, now: 0) == RefreshSchedule.minimumDelay)
        #expect(RefreshSchedule.refreshTokenEnding(100_000, now: 100_000 - 3600))
        #expect(!RefreshSchedule.refreshTokenEnding(100_000, now: 0))
    }

    @Test("the seed's bmw_tokens.json is read and written in its shape")
    func seedTokenFile() throws {
        let seed = #"{"refresh_token": {"token": "rt-seed", "expires_at": "2025-10-15T10:12:40.123456"}, "gcid": "g-seed", "scope": "openid"}"#
        let login = try CarDataLogin.parseSeedFile(Array(seed.utf8)).get()
        #expect(login.refreshToken == "rt-seed" && login.gcid == "g-seed" && login.scope == "openid")
        #expect(CivilTime.format(login.refreshTokenExpiry) == "2025-10-15T10:12:40")
        let written = try JSONSerialization.jsonObject(with: Data(login.seedFileJSON.serialized().utf8)) as! [String: Any]
        let refresh = written["refresh_token"] as! [String: Any]
        #expect(refresh["token"] as? String == "rt-seed" && refresh["expires_at"] as? String == "2025-10-15T10:12:40")
        #expect(written["gcid"] as? String == "g-seed")
        #expect(try CarDataLogin.parseSeedFile(Array(login.seedFileJSON.serialized().utf8)).get() == login)
        for bad in ["{}", #"{"gcid":"g"}"#, #"{"gcid":"g","refresh_token":{"token":"t","expires_at":"tomorrow"}}"#, "nope"] {
            if case .success = CarDataLogin.parseSeedFile(Array(bad.utf8)) { Issue.record("accepted \(bad)") }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try login.exportSeedFile(directory + "/bmw_tokens.json")
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/bmw_tokens.json")[.posixPermissions] as! Int
        #expect(mode == 0o600)
        #expect(try CarDataLogin.importSeedFile(directory + "/bmw_tokens.json")?.get() == login)
        #expect(CarDataLogin.importSeedFile(directory + "/none.json") == nil)
    }

    @Test("civil time agrees with Foundation across years")
    func civilTime() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for seconds in stride(from: Int64(-86_400 * 400), to: 4_000_000_000, by: 86_400 * 97 + 3_731) {
            let text = CivilTime.format(seconds)
            #expect(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) == text + "Z")
            #expect(CivilTime.parse(text) == seconds)
        }
        #expect(CivilTime.parse("2025-13-01T00:00:00") == nil)
        #expect(CivilTime.parse("2025-1-01T00:00:00") == nil)
    }

    @Test("stream messages: readings kept, wrong shapes counted, no VIN or no JSON refused")
    func streamMessages() throws {
        let payload = #"{"vin":"WBY1234567890ABCD","entityId":"g","topic":"WBY1234567890ABCD","timestamp":"2025-10-01T10:12:40.809Z","data":{"vehicle.cabin.door.row2.driver.isOpen":{"timestamp":"2025-09-17T12:18:19Z","value":false},"vehicle.drivetrain.batteryManagement.header":{"timestamp":"2025-10-01T10:12:39Z","value":"9.498705","unit":"%"},"bad.one":7,"bad.two":{"value":{"nested":1}},"vehicle.x.mode":{"value":"PRICE_OPTIMIZED"}}}"#
        let message = try CarDataMessage.parse(topic: "g/WBY1234567890ABCD", payload: Array(payload.utf8)).get()
        #expect(message.vin == "WBY1234567890ABCD" && message.readings.count == 3 && message.badReadings == 2)
        #expect(message.readings.map(\.payloadText) == ["false", "9.498705", "PRICE_OPTIMIZED"])
        var catalogue = CarDataCatalogue()
        _ = catalogue.addPage(Array(#"{"success":true,"data":{"items":[{"id":"vehicle.cabin.door.row2.driver.isOpen","name":"Status of rear left door","unit":"-","category":"VEHICLE_STATUS"}],"hasNextPage":false}}"#.utf8))
        #expect(message.readings[0].displayLine(catalogue: catalogue) == "Status of rear left door: false (at 2025-09-17T12:18:19Z)")
        #expect(message.readings[1].displayLine(catalogue: catalogue) == "vehicle.drivetrain.batteryManagement.header: 9.498705 % (at 2025-10-01T10:12:39Z)")
        let fromTopic = try CarDataMessage.parse(topic: "g/VIN42", payload: Array(#"{"data":{}}"#.utf8)).get()
        #expect(fromTopic.vin == "VIN42")
        for bad in ["", "{", "[]", #"{"vin":"a/b","data":{}}"#, #"{"vin":"V"}"#, #"{"vin":"V","data":[]}"#] {
            if case .success = CarDataMessage.parse(topic: "g/+", payload: Array(bad.utf8)) { Issue.record("accepted \(bad)") }
        }
    }

    @Test("catalogue pages add up; the cache round-trips; search, categories and stats answer")
    func catalogue() throws {
        var catalogue = CarDataCatalogue()
        let page1 = #"{"status":"SUCCESS","data":{"items":[{"id":"a.door","name":"Door","unit":"","category":"VEHICLE_STATUS","description":"Front door"},{"name":"no id"}],"hasNextPage":true}}"#
        let page2 = #"{"success":true,"data":{"items":[{"id":"b.soc","name":"State of charge","unit":"%","category":"BEV_PHEV_DATA"}],"hasNextPage":false,"categories":{"BEV_PHEV_DATA":{"description":"Electric","rank":5},"VEHICLE_STATUS":{"description":"Status","rank":2}}}}"#
        #expect(try catalogue.addPage(Array(page1.utf8)).get() == true)
        #expect(try catalogue.addPage(Array(page2.utf8)).get() == false)
        #expect(catalogue.items.count == 2 && catalogue.skippedItems == 1)
        #expect(catalogue.unit("a.door") == nil && catalogue.unit("b.soc") == "%")
        #expect(catalogue.search("DOOR").map(\.id) == ["a.door"])
        #expect(catalogue.categoryNames == ["VEHICLE_STATUS", "BEV_PHEV_DATA"])
        #expect(catalogue.statsLines.first == "Total items: 2")
        let cache = catalogue.cacheJSON(fetchedAt: 1, source: "x").serialized()
        #expect(try CarDataCatalogue.parseCache(Array(cache.utf8)).get() == catalogue)
        for bad in ["<html>", #"{"success":false,"data":{"items":[]}}"#, #"{"success":true}"#] {
            if case .success = catalogue.addPage(Array(bad.utf8)) { Issue.record("accepted \(bad)") }
        }
    }
}
