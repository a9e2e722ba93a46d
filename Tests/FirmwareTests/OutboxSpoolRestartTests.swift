import Foundation
import TestSupport
import Testing

@Suite("switchyard run: the outbox survives a restart", .serialized)
struct OutboxSpoolRestartTests {
    @Test("offline published during a broker outage at SIGTERM is delivered after restart, before online")
    func spooledOfflineDeliveredAfterRestart() throws {
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker)
        let spool = gateway.data.file("outbox.spool")
        #expect(gateway.waitForLog("connected to 127.0.0.1:\(broker.port)"), "\(gateway.log)")

        broker.stop()
        #expect(gateway.waitForLog("disconnected from 127.0.0.1:\(broker.port)"), "\(gateway.log)")
        gateway.process.signal(SIGTERM)
        let exit = gateway.process.wait(timeout: 10)
        #expect(exit?.status == 0 && exit?.killedBySignal == false, "\(gateway.log)")
        #expect(FileManager.default.fileExists(atPath: spool), "the undelivered offline is spooled: \(gateway.log)")

        try broker.start()
        let observer = try MQTTObserver(port: broker.port, topics: [gateway.statusTopic])
        try gateway.restart()
        defer {
            gateway.process.signal(SIGTERM)
            _ = gateway.process.wait(timeout: 10)
        }
        let expected = ["\(gateway.statusTopic) offline", "\(gateway.statusTopic) online"]
        #expect(observer.wait(timeout: 15) { $0.count >= 2 }, "\(observer.lines) \(gateway.log)")
        #expect(Array(observer.lines.prefix(2)) == expected, "\(gateway.log)")
        #expect(!FileManager.default.fileExists(atPath: spool), "a loaded spool is deleted")
        #expect(gateway.log.contains("spooled messages from \(spool)"))
    }
}
