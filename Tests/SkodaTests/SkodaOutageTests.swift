import Foundation
import TestSupport
import Testing

/// The car's events come from Skoda's broker while the local one is away (Home Assistant
/// restarting its Mosquitto add-on, say): the decoded values wait in the uplink's outbox
/// and arrive, retained, when it is back. A parked car sends a few events a day, so a value
/// lost here would stay stale for hours.
@Suite("Skoda across a local broker outage", .serialized)
struct SkodaOutageTests {
    @Test("events decoded while the local broker is down reach it, retained, once it is back")
    func localOutageLosesNothing() throws {
        let cloud = try MosquittoBroker()
        let rig = try SkodaRig(cloudPort: cloud.port)
        rig.host.startAll()
        #expect(rig.waitConnected(), "\(rig.status)")
        #expect(rig.loop.run(timeout: 20) { cloud.log.contains("Sending SUBACK to switchyard-test-skoda") }, "\(cloud.log)")
        #expect(rig.loop.run(timeout: 10) { rig.rig.client.isConnected })

        rig.broker.stop()
        #expect(rig.loop.run(timeout: 10) { !rig.rig.client.isConnected })
        for payload in SkodaSeedExamples.changeSoc {
            try MQTTTool.publish(port: cloud.port, topic: SkodaSeedExamples.chargingTopic, message: payload)
        }
        #expect(rig.loop.run(timeout: 10) { rig.status["stats"]?["events"]?.intValue == SkodaSeedExamples.changeSoc.count },
                "\(rig.status)")

        try rig.broker.start()
        #expect(rig.loop.run(timeout: 15) {
            rig.rig.client.isConnected && rig.rig.client.outbox.isEmpty && rig.rig.client.inflightCount == 0
        }, "the outbox is delivered")
        let base = "switchyard/test/car/" + SkodaSeedExamples.vin + "/"
        #expect(try MQTTTool.retained(port: rig.broker.port, topic: base + "soc") == "80")
        #expect(try MQTTTool.retained(port: rig.broker.port, topic: base + "range_km") == "223")
        let event = try #require(try MQTTTool.retained(port: rig.broker.port, topic: base + "event/change-soc"))
        #expect(event.contains("\"soc\":80"), "\(event)")
        rig.host.stopAll()
    }
}
