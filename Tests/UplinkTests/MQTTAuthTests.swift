import Foundation
import Runtime
import Store
import TestSupport
import Testing
import Uplink

/// What cloud services (BMW CarData, Skoda) need from a second MQTTClient: fresh credentials
/// at every connect, CONNECT user properties, typed refusals, and reconnect control.
@Suite("MQTT client credentials, CONNECT properties and refusals", .serialized)
struct MQTTAuthTests {
    /// A client on the probe or a broker, with a fast backoff so retries do not slow the tests.
    private func makeClient(port: Int, loop: EventLoop, version: MQTTProtocolVersion = .v5,
                            id: String = "auth-\(UUID().uuidString.prefix(8))") throws -> MQTTClient {
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(port), clientID: id)
        settings.protocolVersion = version
        settings.keepaliveSeconds = 30
        let client = try MQTTClient(name: "cloud", settings: settings, loop: loop)
        client.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(200), jitter: false)
        return client
    }

    @Test("CONNECT carries the user properties and the provider's fresh password on every connect")
    func userPropertiesAndFreshCredentials() throws {
        // Accept, then kick the client with "session taken over"; accept the reconnect.
        let probe = try MQTT5ConnectProbe(reasons: ["0d142", "0"])
        let loop = try EventLoop()
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(probe.port), clientID: "skoda-like")
        settings.protocolVersion = .v5
        settings.userProperties = [MQTTUserProperty("auth_method", "totp_v1")]
        settings.sessionExpirySeconds = 0
        let client = try MQTTClient(name: "cloud", settings: settings, loop: loop)
        client.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(200), jitter: false)
        var asked = 0
        client.credentialsProvider = {
            asked += 1
            return MQTTCredentials(username: "user-1", password: "token-\(asked)",
                                   userProperties: [MQTTUserProperty("auth_credentials", "\(100_000 + asked)")])
        }
        var disconnects: [MQTTDisconnectReason] = []
        client.onDisconnect = { disconnects.append($0) }
        client.start()
        #expect(loop.run(timeout: 10) { client.stats.connects == 2 && client.isConnected }, "\(client.lastError)")
        #expect(disconnects == [.broker(.sessionTakenOver)])
        #expect(asked == 2)

        let connects = probe.connects
        try #require(connects.count == 2)
        #expect(connects.map(\.username) == ["user-1", "user-1"])
        #expect(connects.map(\.password) == ["token-1", "token-2"])
        #expect(connects[0].userProperties == [["auth_method", "totp_v1"], ["auth_credentials", "100001"]])
        #expect(connects[1].userProperties == [["auth_method", "totp_v1"], ["auth_credentials", "100002"]])
        #expect(connects.allSatisfy { $0.protocolLevel == 5 && $0.cleanStart && $0.sessionExpiry == 0 })
        #expect(connects[0].clientID == "skoda-like")
    }

    @Test("refusals arrive as typed reason codes; retry(after:) and the backoff follow them")
    func typedRefusals() throws {
        let probe = try MQTT5ConnectProbe(reasons: ["151", "135", "134", "0"])
        let loop = try EventLoop()
        let client = try makeClient(port: probe.port, loop: loop)
        var results: [MQTTConnectResult] = []
        client.onConnectResult = { result in
            results.append(result)
            // What BMW's broker asks for on a quota refusal, shortened for the test.
            if result == .refused(.quotaExceeded) { client.retry(after: .milliseconds(300)) }
        }
        client.start()
        #expect(loop.run(timeout: 10) { client.isConnected }, "\(client.lastError)")
        #expect(results == [.refused(.quotaExceeded), .refused(.notAuthorized), .refused(.badCredentials), .accepted])
        #expect(client.lastConnectResult == .accepted)
        #expect(client.stats.connectFailures == 3)
        #expect(MQTTReasonCode.notAuthorized.isAuthenticationFailure && !MQTTReasonCode.quotaExceeded.isAuthenticationFailure)
    }

    @Test("MQTT 3.1.1 refusals map to the same reasons", arguments: [(4, MQTTReasonCode.badCredentials), (5, .notAuthorized), (3, .serverUnavailable)])
    func legacyRefusals(_ code: Int, _ expected: MQTTReasonCode) throws {
        let probe = try MQTT5ConnectProbe(reasons: [String(code), "0"])
        let loop = try EventLoop()
        let client = try makeClient(port: probe.port, loop: loop, version: .v311)
        var results: [MQTTConnectResult] = []
        client.onConnectResult = { results.append($0) }
        client.start()
        #expect(loop.run(timeout: 10) { client.isConnected }, "\(client.lastError)")
        #expect(results == [.refused(expected), .accepted])
    }

    @Test("a real mosquitto with a password file refuses a wrong password; pause, refresh, resume connects")
    func wrongPasswordThenRefresh() throws {
        let directory = TemporaryDirectory(prefix: "passwd")
        let passwords = directory.file("passwd")
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/mosquitto_passwd"), ["-b", "-c", passwords, "gcid-1", "id-token-good"])
        chmod(directory.path, 0o755)
        chmod(passwords, 0o644)
        let broker = try MosquittoBroker(extraConfig: "password_file \(passwords)\n")
        let loop = try EventLoop()
        let client = try makeClient(port: broker.port, loop: loop)
        var token = "id-token-expired"
        var asked = 0
        client.credentialsProvider = {
            asked += 1
            return MQTTCredentials(username: "gcid-1", password: token)
        }
        var results: [MQTTConnectResult] = []
        var refreshed = false
        client.onConnectResult = { result in
            results.append(result)
            // The service's rule: an authentication failure refreshes the token once.
            if case .refused(let reason) = result, reason.isAuthenticationFailure, !refreshed {
                refreshed = true
                client.pause()
                loop.after(.milliseconds(100)) {
                    token = "id-token-good"
                    client.resume()
                }
            }
        }
        client.start()
        #expect(loop.run(timeout: 10) { client.isConnected }, "\(client.lastError) \(broker.log)")
        try #require(results.count == 2)
        if case .refused(let reason) = results[0] {
            #expect(reason == .notAuthorized || reason == .badCredentials, "\(reason.name)")
        } else {
            Issue.record("first attempt should be refused, was \(results[0])")
        }
        #expect(results[1] == .accepted)
        #expect(asked == 2)
        #expect(!broker.log.contains("id-token"), "the broker's log never shows a password")
    }

    @Test("reconnect() and a broker restart ask the provider again; pause holds the client off")
    func providerAskedOnEveryReconnect() throws {
        let broker = try MosquittoBroker()
        let loop = try EventLoop()
        let client = try makeClient(port: broker.port, loop: loop)
        var asked = 0
        client.credentialsProvider = {
            asked += 1
            return MQTTCredentials(username: "u", password: "p\(asked)")
        }
        var disconnects: [MQTTDisconnectReason] = []
        client.onDisconnect = { disconnects.append($0) }
        client.start()
        #expect(loop.run(timeout: 10) { client.isConnected })
        #expect(asked == 1)

        client.reconnect()
        #expect(loop.run(timeout: 10) { client.stats.connects == 2 && client.isConnected })
        #expect(asked == 2)
        #expect(disconnects == [.requested])

        broker.stop()
        #expect(loop.run(timeout: 10) { !client.isConnected })
        try broker.start()
        #expect(loop.run(timeout: 15) { client.stats.connects == 3 && client.isConnected })
        #expect(asked >= 3)
        if case .lost = disconnects.last {} else { Issue.record("a broker that went away is a lost connection: \(disconnects)") }

        client.pause()
        #expect(loop.run(timeout: 10) { client.state == .paused })
        let before = asked
        loop.run(timeout: 0.5) { false } // a paused client must not try
        #expect(asked == before && !client.isConnected)
        client.resume()
        #expect(loop.run(timeout: 10) { client.isConnected })
        #expect(asked == before + 1)
    }

    @Test("a nil from the provider fails the attempt and backs off")
    func noCredentialsYet() throws {
        let probe = try MQTT5ConnectProbe()
        let loop = try EventLoop()
        let client = try makeClient(port: probe.port, loop: loop)
        var ready = false
        client.credentialsProvider = { ready ? MQTTCredentials(username: "u", password: "p") : nil }
        var results: [MQTTConnectResult] = []
        client.onConnectResult = { results.append($0) }
        client.start()
        #expect(loop.run(timeout: 5) { results.count >= 2 })
        #expect(probe.connects.isEmpty, "nothing reaches the broker without credentials")
        ready = true
        #expect(loop.run(timeout: 10) { client.isConnected })
        #expect(results.first == .failed("no credentials to connect with yet"))
        #expect(results.last == .accepted)
    }

    @Test("MQTT_DEBUG logs libmosquitto's protocol lines at debug level, the connect included, no password")
    func protocolLog() throws {
        let probe = try MQTT5ConnectProbe()
        let loop = try EventLoop()
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(probe.port), clientID: "debugged")
        settings.protocolVersion = .v5
        settings.debug = true
        let client = try MQTTClient(name: "cloud", settings: settings, loop: loop)
        client.credentialsProvider = { MQTTCredentials(username: "gcid", password: "secret-id-token") }
        let (connected, lines) = LogCapture.lines { () -> Bool in
            client.start()
            return loop.run(timeout: 10) { client.isConnected }
        }
        #expect(connected)
        #expect(lines.contains { $0.contains("DEBUG") && $0.contains("mosquitto: Client debugged sending CONNECT") }, "\(lines)")
        #expect(lines.contains { $0.contains("received CONNACK (0)") }, "\(lines)")
        #expect(!lines.contains { $0.contains("secret-id-token") })
    }

    @Test("a steady backoff waits its initial delay, then doubles")
    func steadyBackoff() {
        var backoff = ReconnectBackoff(initial: .seconds(5), maximum: .seconds(120), jitter: false, steadyAttempts: 3)
        let delays = (0..<8).map { _ in backoff.nextDelay().milliseconds / 1000 }
        #expect(delays == [5, 5, 5, 10, 20, 40, 80, 120])
        var jittered = ReconnectBackoff(initial: .seconds(5), maximum: .seconds(120), steadyAttempts: 2, random: { 0 })
        #expect(jittered.nextDelay() == .seconds(5), "the steady attempts are exact")
        _ = jittered.nextDelay()
        #expect(jittered.nextDelay() == .seconds(5), "then half of 10 s with the lowest jitter")
    }
}
