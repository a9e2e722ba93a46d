import Foundation
import Runtime
import TestSupport
import Testing
import Uplink

@Suite("MQTT over TLS with test certificates", .serialized)
struct MQTTTLSTests {
    @Test("connects with the right CA and publishes over TLS")
    func connectsWithRightCA() throws {
        let certificates = try TestCertificates()
        let tlsPort = FreePort.next()
        let broker = try MosquittoBroker(extraConfig: certificates.listenerConfig(port: tlsPort))
        #expect(FreePort.waitUntilListening(tlsPort, timeout: 5))
        let observer = try MQTTObserver(port: broker.port, topics: ["tls/#"])
        let loop = try EventLoop()
        var settings = MQTTSettings(host: "localhost", port: Int32(tlsPort), clientID: "tls-ok")
        settings.tls = MQTTTLSSettings(caFile: certificates.caFile)
        let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        client.start()
        #expect(loop.run(timeout: 10) { client.isConnected }, "\(client.lastError)")
        client.publish("tls/hello", text: "encrypted", qos: 1)
        #expect(observer.wait { $0 == ["tls/hello encrypted"] })
    }

    @Test("a wrong CA fails with a clear error and the client keeps retrying")
    func wrongCAKeepsRetrying() throws {
        let certificates = try TestCertificates()
        let tlsPort = FreePort.next()
        let broker = try MosquittoBroker(extraConfig: certificates.listenerConfig(port: tlsPort))
        #expect(FreePort.waitUntilListening(tlsPort, timeout: 5))
        let loop = try EventLoop()
        var settings = MQTTSettings(host: "localhost", port: Int32(tlsPort), clientID: "tls-bad")
        settings.tls = MQTTTLSSettings(caFile: certificates.otherCAFile)
        let client = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        client.start()
        #expect(loop.run(timeout: 10) { client.stats.connectFailures >= 2 }, "retries after the first failure")
        #expect(!client.isConnected)
        #expect(client.lastError.contains("certificate verify failed"), "\(client.lastError)")
        _ = broker
    }
}
