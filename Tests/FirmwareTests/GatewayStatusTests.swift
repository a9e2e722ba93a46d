import Foundation
import TestSupport
import Testing

@Suite("switchyard run: status, will and heartbeat against a real broker", .serialized)
struct GatewayStatusTests {
    private func retained(_ broker: MosquittoBroker, _ topic: String, equals expected: String,
                          timeout: TimeInterval = 10) throws -> Bool {
        try MQTTTool.waitForRetained(port: broker.port, topic: topic, equals: expected, timeout: timeout)
    }

    @Test("online on connect; offline and exit 0 on SIGTERM")
    func onlineThenOfflineOnSIGTERM() throws {
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker)
        #expect(try retained(broker, gateway.statusTopic, equals: "online"), "\(gateway.log)")
        gateway.process.signal(SIGTERM)
        let exit = gateway.process.wait(timeout: 10)
        #expect(exit?.status == 0 && exit?.killedBySignal == false, "\(gateway.log)")
        #expect(try retained(broker, gateway.statusTopic, equals: "offline"))
        #expect(gateway.log.contains("SIGTERM: shutting down"))
    }

    @Test("the last will publishes offline when the gateway is killed")
    func willOnSIGKILL() throws {
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker)
        #expect(try retained(broker, gateway.statusTopic, equals: "online"), "\(gateway.log)")
        gateway.process.signal(SIGKILL)
        gateway.process.wait()
        #expect(try retained(broker, gateway.statusTopic, equals: "offline"))
    }

    @Test("the retained state heartbeat describes the gateway, without secrets")
    func heartbeatContent() throws {
        let broker = try MosquittoBroker()
        let gateway = try GatewayProcess(broker: broker, extraEnvironment: [
            "MQTT_USERNAME": "gw", "MQTT_PASSWORD": "very-secret-pw",
        ])
        #expect(try retained(broker, gateway.statusTopic, equals: "online"), "\(gateway.log)")
        var state: [String: Any]? = nil
        let deadline = Date().addingTimeInterval(10)
        while state == nil && Date() < deadline {
            if let text = try MQTTTool.retained(port: broker.port, topic: gateway.stateTopic),
               let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
               (object["uplink"] as? [String: Any])?["state"] as? String == "connected" {
                state = object
                #expect(!text.contains("very-secret-pw"))
            } else {
                usleep(100_000)
            }
        }
        let object = try #require(state)
        #expect(object["version"] as? String == "0.1.0")
        #expect(object["node"] as? String == gateway.node)
        #expect(object["led"] as? String == "connected")
        #expect(object["uptime_s"] is Int)
        #expect(object["tasks"] is [Any])
        let uplink = try #require(object["uplink"] as? [String: Any])
        #expect(uplink["broker"] as? String == "127.0.0.1:\(broker.port)")
        #expect(uplink["connects"] as? Int == 1)
        #expect(!gateway.log.contains("very-secret-pw"), "the password never reaches the log")
    }

    @Test("an idle gateway keeps retrying a missing broker with backoff, then connects")
    func retriesUntilBrokerAppears() throws {
        let broker = try MosquittoBroker()
        broker.stop()
        let gateway = try GatewayProcess(broker: broker)
        #expect(gateway.waitForLog("cannot connect to 127.0.0.1:\(broker.port)"), "\(gateway.log)")
        try broker.start()
        #expect(try retained(broker, gateway.statusTopic, equals: "online", timeout: 15), "\(gateway.log)")
        let failures = gateway.log.components(separatedBy: "cannot connect").count - 1
        #expect(failures == 1, "each state change is logged once, not every retry")
    }
}
