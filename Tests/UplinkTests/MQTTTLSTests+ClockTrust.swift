import Foundation
import Runtime
import TestSupport
import Testing
import Uplink

/// Issue 27: a TLS connection waits for the clock (ClockTrust) instead of failing on
/// "certificate not yet valid" and backing off. In the TLS suite, which is serialized:
/// ClockTrust is process-wide, and no other TLS test should see it closed.
extension MQTTTLSTests {
    @Test("a TLS connection waits while the clock is not synchronised, then connects at once")
    func tlsWaitsForTheClock() throws {
        try ClockTrustTestLock.hold {
            let certificates = try TestCertificates()
            let tlsPort = FreePort.next()
            let broker = try MosquittoBroker(extraConfig: certificates.listenerConfig(port: tlsPort))
            #expect(FreePort.waitUntilListening(tlsPort, timeout: 5))
            let loop = try EventLoop()
            var settings = MQTTSettings(host: "localhost", port: Int32(tlsPort), clientID: "tls-clock")
            settings.tls = MQTTTLSSettings(caFile: certificates.caFile)
            let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
            let plain = try MQTTClient(name: "plain", settings: MQTTSettings(host: "127.0.0.1", port: Int32(broker.port),
                                                                             clientID: "plain-clock"), loop: loop)
            ClockTrust.set(.waiting)
            defer { ClockTrust.set(.unmanaged) }
            client.start()
            plain.start()
            // A plain connection has no certificate to check: it does not wait.
            #expect(loop.run(timeout: 10) { plain.isConnected })
            _ = loop.run(timeout: 1.5) { client.isConnected || client.stats.connectFailures > 0 }
            #expect(!client.isConnected)
            #expect(client.stats.connectFailures == 0, "no attempt, so no failure and no backoff")
            ClockTrust.set(.synchronised)
            let synced = Date()
            #expect(loop.run(timeout: 10) { client.isConnected }, "\(client.lastError)")
            #expect(Date().timeIntervalSince(synced) < 5, "within a second or two of the sync, not after a backoff")
        }
    }
}
