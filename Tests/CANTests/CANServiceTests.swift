import CAN
import Console
import Foundation
import JSON
import Runtime
import Store
import TestSupport
import Testing
import Uplink

/// The tunnel as a gateway service: config keys in, `state` block and `can` command out.
@Suite("CAN service from the config store", .serialized)
struct CANServiceTests {
    private func store(_ values: [String: String]) throws -> (ConfigStore, TemporaryDirectory) {
        var schema = ConfigSchema.standard
        schema.register(CANConfigKeys.all)
        let directory = TemporaryDirectory(prefix: "can-service")
        let store = ConfigStore(schema: schema, dataDirectory: directory.path, environment: { _ in nil })
        for (key, value) in values { try store.set(key, to: value) }
        return (store, directory)
    }

    @Test("disabled by default: nothing opens, state says so")
    func disabledByDefault() throws {
        let (store, _) = try store([:])
        let loop = try EventLoop()
        let client = try MQTTClient(name: "uplink", settings: MQTTSettings(clientID: "x"), loop: loop)
        let service = CANService(store: store, client: client, loop: loop)
        try service.start()
        #expect(service.health == .disabled)
        #expect(service.tunnel == nil)
        #expect(service.stateJSON()["enabled"]?.boolValue == false)
    }

    @Test("settings it cannot use fail the start with a message that says what is allowed")
    func rejectsBadSettings() throws {
        let cases: [([String: String], String)] = [
            (["can.enabled": "true", "can.ring_capacity": "1000"], "power of two"),
            (["can.enabled": "true", "can.topic": "can/#"], "must not contain"),
            (["can.enabled": "true", "can.filters": "0x7E8:zz"], "mask"),
            (["can.enabled": "true", "can.bus": "slcan", "can.bitrate": "123456"], "500000"),
        ]
        for (values, expected) in cases {
            let (store, _) = try store(values)
            let loop = try EventLoop()
            let client = try MQTTClient(name: "uplink", settings: MQTTSettings(clientID: "x"), loop: loop)
            let service = CANService(store: store, client: client, loop: loop)
            #expect(throws: ServiceError.self) { try service.start() }
            guard case .failed(let reason) = service.health else {
                Issue.record("health \(service.health) for \(values)")
                continue
            }
            #expect(reason.contains(expected), "\(reason) should mention \(expected)")
        }
    }

    @Test("client mode from config: bus frames go to <t>/s/<id>, <t>/<id> reaches the bus, `can send` too")
    func tunnelsAsClient() throws {
        let broker = try MosquittoBroker()
        let sim = try SLCANSimulator()
        let (store, _) = try store([
            "can.enabled": "true", "can.bus": "slcan", "can.slcan_device": sim.path, "can.bitrate": "250000",
            "can.topic": "plant/line1/can", "can.mode": "client",
        ])
        let observer = try CANTestSupport.observer(broker, topics: ["plant/#"])
        let loop = try EventLoop()
        let client = try CANTestSupport.client(broker, loop: loop)
        let service = CANService(store: store, client: client, loop: loop)
        let registry = CommandRegistry()
        service.registerCommands(registry)
        try service.start()
        client.start()
        #expect(loop.run(timeout: 5) { client.isConnected })
        loop.run(timeout: 0.3) { false }
        #expect(service.health == .ok)
        #expect(sim.records.first == "BITRATE S5")

        sim.emit("t7E8803410C1AF8000000")
        #expect(loop.run(timeout: 5) { observer.lines.count >= 1 })
        #expect(observer.lines.compactMap(CANTestSupport.split).map { $0.topic + " " + $0.rest }
                == ["plant/line1/can/s/2024 0003410c1af8000000"])

        try CANTestSupport.publish(port: broker.port, topic: "plant/line1/can/2015", payload: CANTestSupport.payload(flags: 0, data: [2, 1, 0x0C]))
        let reply = registry.execute("can", CommandRequest(origin: .console, arguments: ["send", "18DB33F1#0201"]))
        #expect(reply.ok, "\(reply.output.text)")
        #expect(loop.run(timeout: 5) { sim.transmitted.count >= 2 })
        #expect(Set(sim.transmitted) == ["t7DF302010C", "T18DB33F120201"])
        #expect(!registry.execute("can", CommandRequest(origin: .console, arguments: ["send", "nonsense"])).ok)

        let state = service.stateJSON()
        #expect(state["mode"]?.stringValue == "client")
        #expect(state["health"]?.stringValue == "ok")
        #expect(state["bus_to_mqtt"]?["published"]?.intValue == 1)
        #expect(state["mqtt_to_bus"]?["frames_out"]?.intValue == 2)
        #expect(state["ring"]?["capacity"]?.intValue == 4096)
        let status = registry.execute("can", CommandRequest(origin: .mqtt, arguments: ["status"]))
        #expect(status.output.json["bus_state"]?.stringValue == "open")

        service.stop()
        #expect(service.health == .disabled)
        #expect(loop.run(timeout: 3) { sim.records.contains("CLOSE") })
    }
}
