import Crypto
import Foundation
import Runtime
import ServiceKit
import Store
import TestSupport
import Testing
import Uplink
@testable import CarData

/// Issue 20 item 3 for BMW: every number the token endpoint, a JWT or the config hands over
/// is range-checked; huge, negative and infinite ones are refused or fall back, never trap.
@Suite("BMW CarData numbers from outside", .serialized)
struct CarDataNumberRangeTests {
    static let outOfRange = ["9.3e18", "9300000000000000000", "1e400", "-1e400", "-1e300", "0", "-1", "100000000000"]

    private func jwt(exp: String) -> String {
        "eyJhbGciOiJSUzI1NiJ9." + Base64.encodeURL(Array(#"{"sub":"x","exp":\#(exp)}"#.utf8)) + ".c2ln"
    }

    @Test("a JWT exp out of range is malformed", arguments: outOfRange)
    func jwtExpiry(exp: String) {
        #expect(JWTClaims.parse(jwt(exp: exp)) == .failure(.malformed("JWT exp is missing, not a number or out of range")))
    }

    @Test("token responses with such numbers fall back to expires_in, then to an hour", arguments: outOfRange)
    func tokenResponse(number: String) throws {
        let now: Int64 = 1_700_000_000
        let body = #"{"access_token":"a","refresh_token":"r","gcid":"g","id_token":"\#(jwt(exp: number))","expires_in":\#(number)}"#
        let tokens = try CarDataTokens.parse(Array(body.utf8), now: now).get()
        #expect(tokens.idTokenExpiry == now + 3600)
        let lifetime = #"{"access_token":"a","refresh_token":"r","gcid":"g","id_token":"\#(jwt(exp: number))","expires_in":1800}"#
        #expect(try CarDataTokens.parse(Array(lifetime.utf8), now: now).get().idTokenExpiry == now + 1800)
    }

    @Test("a device code answer with such numbers keeps the defaults", arguments: outOfRange)
    func deviceCode(number: String) throws {
        let body = #"{"user_code":"U","device_code":"D","expires_in":\#(number),"interval":\#(number)}"#
        let grant = try DeviceCodeGrant.parse(Array(body.utf8)).get()
        #expect(grant.expiresIn == DeviceCodeGrant.defaultLifetime && grant.expiresIn == 600 && grant.interval == 5)
    }

    @Test("a saved refresh_expires beyond any time reads as unknown; state and status still print",
          arguments: ["-9223372036854775808", "9223372036854775807", "-86400", "100000000000"])
    func storedExpiry(text: String) throws {
        var schema = ConfigSchema.standard
        schema.register(CarDataConfigKeys.all + CarDataConfigKeys.stored)
        let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent", environment: { _ in nil })
        // Any console user allowed to `set` can write these: the key is plain text.
        for (key, value) in ["bmw.enabled": "true", "bmw.client_id": "0b1c2d3e-4f50-4617-8899-aabbccddeeff", "bmw.auth_url": "http://127.0.0.1:9/oauth",
                             "bmw.catalogue_url": "http://127.0.0.1:9/catalogue", "bmw.token_file": "",
                             "bmw.refresh_token": "rt", "bmw.gcid": "g", "bmw.refresh_expires": text] {
            try store.set(key, to: value)
        }
        #expect(CarDataLogin.load(from: store)?.refreshTokenExpiry == 0)
        let loop = try EventLoop()
        let broker = try MosquittoBroker()
        let uplink = try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: Int32(broker.port),
                                                                           clientID: "bmw-range"), loop: loop)
        let registry = CommandRegistry()
        let host = ServiceHost(catalogue: [CarDataService.descriptor], store: store, loop: loop, port: uplink, node: "test",
                               topicPrefix: "switchyard/test", commands: registry)
        host.startAll()
        let service = try #require(host.service(named: "bmw") as? CarDataService)
        // What the state heartbeat prints every 30 s: Int64.min here trapped in CivilTime.format.
        #expect(service.stateJSON()["refresh_token_expires"]?.stringValue == "1970-01-01T00:00:00Z")
        #expect(registry.execute("bmw", CommandRequest(origin: .console, arguments: ["status"])).ok)
        host.stopAll()
    }
}
