import CAN
import Console
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import ServiceTestSupport
import TestSupport
import Testing
import Uplink

/// The tunnel as a gateway service: config keys in, `state` block and `can` command out.
@Suite("CAN service from the config store", .serialized)
struct CANServiceTests {
    /// The service as the gateway runs it: from its descriptor, under a service host, over a
    /// store holding `values`. With a broker, the client is started by the test (`connect()`).
    private func rig(_ values: [String: String], broker: Bool = false) throws -> ServiceRig {
        try ServiceRig(descriptor: CANService.descriptor, settings: values, broker: broker, connect: false,
                       mqtt: { $0.keepaliveSeconds = 10 })
    }

    private func hosted(_ rig: ServiceRig) throws -> CANService {
        rig.start()
        return try rig.service(as: CANService.self)
    }

    @Test("disabled by default: nothing opens, state says so")
    func disabledByDefault() throws {
        let rig = try rig([:])
        let service = try hosted(rig)
        let host = rig.host, registry = rig.commands
        #expect(host.health(of: "can") == .disabled)
        #expect(service.tunnel == nil)
        #expect(host.stateJSON()["can"]?["enabled"]?.boolValue == false)
        let status = registry.execute("can", CommandRequest(origin: .console, arguments: ["send", "123#00"]))
        #expect(!status.ok && status.output.text.contains("set can.enabled true"))
    }

    @Test("values that cannot be right are refused by `set` with what is allowed")
    func refusesImpossibleValues() throws {
        for (key, value, expected) in [("can.ring_capacity", "1000", "power of two"), ("can.ring_capacity", "3", "power of two"),
                                       ("can.topic", "can/#", "without '+', '#'"), ("can.mode", "sideways", "server, client"),
                                       ("can.bus", "usb", "socketcan, slcan")] {
            do {
                _ = try rig([key: value])
                Issue.record("\(key) \(value) was accepted")
            } catch let error as StoreError {
                #expect(error.description.contains(expected), "\(error.description) should mention \(expected)")
            }
        }
    }

    @Test("settings it cannot use fail the start; `can status` still says why")
    func rejectsBadSettings() throws {
        // Bad filters and bit rates no longer get this far: the store refuses them at set.
        for (key, value) in [("can.filters", "0x7E8:zz"), ("can.bitrate", "123456")] {
            #expect(throws: StoreError.self, "\(key) \(value)") { _ = try rig(["can.enabled": "true", key: value]) }
        }
        let cases: [([String: String], String)] = [
            (["can.enabled": "true", "can.bus": "slcan", "can.slcan_device": ""], "device"),
        ]
        for (values, expected) in cases {
            let rig = try rig(values)
            _ = try hosted(rig)
            let host = rig.host, registry = rig.commands
            guard case .failed(let reason)? = host.health(of: "can") else {
                Issue.record("health \(String(describing: host.health(of: "can"))) for \(values)")
                continue
            }
            #expect(reason.contains(expected), "\(reason) should mention \(expected)")
            let status = registry.execute("can", CommandRequest(origin: .console, arguments: ["status"]))
            #expect(status.output.json["health"]?.stringValue == "failed")
            #expect(status.output.json["detail"]?.stringValue?.contains(expected) == true)
        }
    }

    @Test("client mode from config: bus frames go to <t>/s/<id>, <t>/<id> reaches the bus, `can send` too")
    func tunnelsAsClient() throws {
        let sim = try SLCANSimulator()
        let rig = try rig([
            "can.enabled": "true", "can.bus": "slcan", "can.slcan_device": sim.path, "can.bitrate": "250000",
            "can.topic": "plant/line1/can", "can.mode": "client",
        ], broker: true)
        let broker = rig.broker!, loop = rig.loop, client = rig.client, host = rig.host, registry = rig.commands
        let observer = try CANTestSupport.observer(broker, topics: ["plant/#"])
        let service = try hosted(rig)
        #expect(rig.connect(timeout: 5))
        #expect(loop.run(timeout: 5) { client.subscriptionsAnswered })
        #expect(host.health(of: "can") == .ok)
        // The adapter is set up by writes the simulator reads in its own time: wait for them.
        #expect(loop.run(timeout: 5) { sim.records.first == "BITRATE S5" }, "\(sim.records)")

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

        let state = try #require(host.stateJSON()["can"]?["state"])
        #expect(state["mode"]?.stringValue == "client")
        #expect(host.stateJSON()["can"]?["health"]?.stringValue == "ok")
        #expect(state["bus_to_mqtt"]?["published"]?.intValue == 1)
        #expect(state["mqtt_to_bus"]?["frames_out"]?.intValue == 2)
        #expect(state["ring"]?["capacity"]?.intValue == 4096)
        let status = registry.execute("can", CommandRequest(origin: .mqtt, arguments: ["status"]))
        #expect(status.output.json["bus_state"]?.stringValue == "open")

        host.stopAll()
        #expect(service.tunnel == nil)
        #expect(client.subscriptionCount == 0, "stop removes the tunnel's subscription")
        #expect(loop.run(timeout: 3) { sim.records.contains("CLOSE") })
    }

    @Test("frames honour mqtt.qos: at 1 those read while the broker is away wait in the outbox; at 0 they drop")
    func framesHonourQoS() throws {
        for qos in [1, 0] {
            let sim = try SLCANSimulator()
            let rig = try rig([
                "can.enabled": "true", "can.bus": "slcan", "can.slcan_device": sim.path, "mqtt.qos": String(qos),
            ], broker: true)
            let loop = rig.loop, host = rig.host
            let observer = try CANTestSupport.observer(rig.broker!, topics: ["can/#"])
            let service = try hosted(rig)
            defer { rig.stop() }
            #expect(loop.run(timeout: 5) { host.health(of: "can") == .ok })
            // Not connected yet: as in an outage, every frame must wait or be dropped.
            for index in 0..<20 { sim.emit("t1" + String(format: "%02X", index) + "1" + String(format: "%02X", index)) }
            let tunnel = try #require(service.tunnel)
            #expect(loop.run(timeout: 5) { tunnel.stats.framesFromBus == 20 })
            #expect(rig.connect(timeout: 5))
            if qos == 1 {
                #expect(tunnel.stats.publishFailed == 0)
                #expect(loop.run(timeout: 5) { observer.lines.count >= 20 }, "\(observer.lines.count) of 20 arrived")
                let ids: [String] = observer.lines.compactMap(CANTestSupport.split).map { $0.topic }
                let expected: [String] = (0..<20).map { (index: Int) -> String in "can/" + String(0x100 + index) }
                #expect(ids == expected, "in order, none lost")
            } else {
                #expect(tunnel.stats.publishFailed == 20, "QoS 0 without a broker drops, and counts it")
                loop.run(timeout: 0.5) { false }
                #expect(observer.lines.isEmpty)
            }
        }
    }
}
