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

    @Test("frames queued during an outage survive a SIGKILL: the outbox is spooled while it waits")
    func spooledPeriodicallySurvivesKill() throws {
        let broker = try MosquittoBroker()
        let devices = try SimulatedDevices(slcanArguments: ["--every", "0.1", "--frame", "t1232BEEF"])
        let data = TemporaryDirectory(prefix: "gateway")
        #expect(ChildProcessConfig.set([
            "can.enabled": "true", "can.bus": "slcan", "can.slcan_device": devices.slcanPath,
            "mqtt.outbox.spool_s": "1",
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, extraEnvironment: ["LOG_LEVEL": "info", "MQTT_QOS": "1"],
                                         data: data)
        defer { gateway.process.signal(SIGKILL) }
        let spool = gateway.data.file("outbox.spool")
        #expect(gateway.waitForLog("connected to 127.0.0.1:\(broker.port)"), "\(gateway.log)")
        broker.stop()
        #expect(gateway.waitForLog("disconnected from 127.0.0.1:\(broker.port)"), "\(gateway.log)")
        // Frames keep coming from the bus; within a spool period or two they are on disk.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !FileManager.default.fileExists(atPath: spool) { usleep(50_000) }
        #expect(FileManager.default.fileExists(atPath: spool), "spooled while running: \(gateway.log)")
        // A later spool period writes the frames read since: wait until the file holds some.
        let spoolSize = { (try? FileManager.default.attributesOfItem(atPath: spool)[.size] as? Int) ?? 0 }
        let filled = Date().addingTimeInterval(10)
        while Date() < filled && spoolSize() <= 100 { usleep(50_000) }
        gateway.process.signal(SIGKILL)
        _ = gateway.process.wait(timeout: 5)
        #expect(spoolSize() > 100, "the spool holds the frames read during the outage")

        try broker.start()
        let observer = try MQTTObserver(port: broker.port, topics: ["can/291"])
        try gateway.restart()
        #expect(observer.wait(timeout: 15) { $0.count >= 10 }, "frames from before the kill: \(observer.lines.count) \(gateway.log)")
        #expect(gateway.log.contains("spooled messages from \(spool)"))
    }
}
