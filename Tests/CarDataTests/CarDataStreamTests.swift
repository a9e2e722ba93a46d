import CarData
import Foundation
import Runtime
import TestSupport
import Testing
import Uplink

/// The stream's reactions to BMW's refusals, against an MQTT 5 stand-in that answers with
/// the CONNACK codes we choose and records every CONNECT.
@Suite("BMW CarData stream refusals, quota and circuit breaker")
struct CarDataStreamTests {
    private func settings(_ probe: MQTT5ConnectProbe) -> CarDataStreamSettings {
        var settings = CarDataStreamSettings(host: "127.0.0.1", port: Int32(probe.port), caFile: nil, clientID: "bmw-test",
                                             vins: ["WBY1", "WBY2"])
        settings.useTLS = false
        settings.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(100), jitter: false)
        settings.notAuthorizedDelay = .milliseconds(200)
        settings.quotaDelay = .milliseconds(400)
        return settings
    }

    @Test("quota exceeded waits as asked, then connects as gcid with the id_token, keepalive 30, clean start")
    func quotaThenConnect() throws {
        let probe = try MQTT5ConnectProbe(reasons: ["151", "0"])
        let loop = try EventLoop()
        let stream = try CarDataStream(settings: settings(probe), gcid: "gcid-1", idToken: "id-1", loop: loop, log: Logger("bmw"))
        stream.start()
        let started = Date()
        #expect(loop.run(timeout: 10) { stream.client.isConnected })
        #expect(Date().timeIntervalSince(started) >= 0.35, "the quota wait was honoured")
        #expect(stream.lastRefusal == .quotaExceeded && stream.refusals == 1)
        let connects = probe.connects
        #expect(connects.count == 2)
        #expect(connects.allSatisfy { $0.username == "gcid-1" && $0.password == "id-1" && $0.keepalive == 30 && $0.cleanStart && $0.protocolLevel == 5 })
        #expect(stream.topics == ["gcid-1/WBY1", "gcid-1/WBY2"])
    }

    @Test("not authorized asks for a token once; a second refusal with the new one backs off, then connects")
    func notAuthorizedTwice() throws {
        let probe = try MQTT5ConnectProbe(reasons: ["135", "135", "0"])
        let loop = try EventLoop()
        let stream = try CarDataStream(settings: settings(probe), gcid: "g", idToken: "old", loop: loop, log: Logger("bmw"))
        var asked = 0
        stream.onNeedToken = {
            asked += 1
            loop.after(.milliseconds(50)) { stream.use(idToken: "new-\(asked)") }
        }
        stream.start()
        #expect(loop.run(timeout: 10) { stream.client.isConnected })
        #expect(asked == 1, "one refresh, not a refresh loop")
        #expect(probe.connects.map(\.password) == ["old", "new-1", "new-1"])
    }

    @Test("threshold failures within the window open the circuit breaker (BMW: 10 in 60 s; 3 here); it closes after its cooldown")
    func circuitBreaker() throws {
        let probe = try MQTT5ConnectProbe(reasons: ["136", "136", "136", "0"])
        let loop = try EventLoop()
        var settings = settings(probe)
        settings.breaker = CircuitBreaker(threshold: 3, window: .seconds(60), cooldown: .milliseconds(800))
        let stream = try CarDataStream(settings: settings, gcid: "g", idToken: "t", loop: loop, log: Logger("bmw"))
        stream.start()
        #expect(loop.run(timeout: 10) { stream.breakerTrips == 1 })
        #expect(loop.run(timeout: 5) { stream.client.state == .paused })
        let held = probe.connects.count
        #expect(held == 3)
        loop.run(timeout: 0.4) { false }
        #expect(probe.connects.count == held, "no connect while the breaker is open")
        #expect(loop.run(timeout: 10) { stream.client.isConnected }, "the breaker closed and the stream connected")
    }

    @Test("a refused SUBACK on gcid/VIN: one fresh token and a reconnect, then subscribed; never connected and silent")
    func refusedSubscriptionRefreshesOnce() throws {
        let probe = try MQTT5ConnectProbe(subacks: ["135", "grant"])
        let loop = try EventLoop()
        var settings = settings(probe)
        settings.vins = ["WBY1"]
        let stream = try CarDataStream(settings: settings, gcid: "g", idToken: "old", loop: loop, log: Logger("bmw"))
        var asked = 0
        stream.onNeedToken = {
            asked += 1
            loop.after(.milliseconds(50)) { stream.use(idToken: "new-\(asked)") }
        }
        stream.start()
        #expect(loop.run(timeout: 10) { probe.subscribes.count == 2 && stream.client.subscriptionsAnswered },
                "\(probe.subscribes.map(\.answer))")
        #expect(asked == 1)
        #expect(probe.connects.map(\.password) == ["old", "new-1"], "reconnected with the fresh token")
        #expect(probe.subscribes.map(\.answer) == [[135], [1]])
        #expect(stream.session.subscriptionRefusal == nil && stream.session.subscriptionRefusals == 1)
    }

    @Test("a SUBACK refused every time: one token refresh only, then reconnects with the backoff, the refusal kept")
    func refusedSubscriptionBacksOff() throws {
        let probe = try MQTT5ConnectProbe(subacks: ["135"])
        let loop = try EventLoop()
        var settings = settings(probe)
        settings.vins = ["WBY1"]
        let stream = try CarDataStream(settings: settings, gcid: "g", idToken: "old", loop: loop, log: Logger("bmw"))
        var asked = 0
        stream.onNeedToken = {
            asked += 1
            loop.after(.milliseconds(50)) { stream.use(idToken: "new-\(asked)") }
        }
        stream.start()
        #expect(loop.run(timeout: 10) { probe.connects.count >= 4 })
        #expect(asked == 1, "one refresh, not a refresh loop")
        #expect(probe.subscribes.allSatisfy { $0.answer == [135] })
        let refusal = try #require(stream.session.subscriptionRefusal)
        #expect(refusal.filter == "g/WBY1" && refusal.code == 135)
        #expect(refusal.description == "subscription to g/WBY1 refused: not authorized (135)")
    }

    @Test("TLS 1.2 is the floor, not the ceiling: the stream asks for it and reaches a TLS 1.3-only broker")
    func tlsFloor() throws {
        let certificates = try TestCertificates()
        let port = FreePort.next()
        let broker = try MosquittoBroker(extraConfig: certificates.listenerConfig(port: port) + "tls_version tlsv1.3\n")
        #expect(FreePort.waitUntilListening(port, timeout: 5))
        let loop = try EventLoop()
        var settings = CarDataStreamSettings(host: "localhost", port: Int32(port), caFile: certificates.caFile,
                                             clientID: "bmw-tls", vins: ["WBY1"])
        settings.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(100), jitter: false)
        let stream = try CarDataStream(settings: settings, gcid: "g", idToken: "t", loop: loop, log: Logger("bmw"))
        #expect(stream.client.settings.tls?.minimumVersion == .tls12)
        stream.start()
        #expect(loop.run(timeout: 10) { stream.client.subscriptionsAnswered }, "\(broker.log.suffix(400))")
        stream.stop()
    }
}
