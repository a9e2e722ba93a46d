import Foundation
import TestSupport
import Testing

/// `switchyard run` with the CAN tunnel and the Benchlab publisher switched on in its saved
/// settings, against the device simulators: the services are really wired into the gateway
/// (keys registered, services created, health and counters on the state topic).
@Suite("switchyard run with CAN and Benchlab services", .serialized)
struct GatewayServicesTests {
    @Test("frames from a simulated SLCAN bus and Benchlab telemetry reach the broker; state shows both")
    func servicesRunInsideTheGateway() throws {
        let devices = try SimulatedDevices(slcanArguments: ["--every", "0.2", "--frame", "t1238DEADBEEF01020304"])
        let slcanPath = devices.slcanPath, devicePath = devices.benchlabPath

        let broker = try MosquittoBroker()
        let observer = try MQTTObserver(port: broker.port, topics: ["can/#", "clients/+/links/+/benchlabs/+/telemetry"])
        let data = TemporaryDirectory(prefix: "gateway")
        #expect(ChildProcessConfig.set([
            "can.enabled": "true", "can.bus": "slcan", "can.slcan_device": slcanPath, "can.mode": "server",
            "benchlab.enabled": "true", "benchlab.ports": devicePath,
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)

        #expect(observer.wait(timeout: 15) { lines in
            lines.contains { $0.hasPrefix("can/291 ") } && lines.contains { $0.contains("/telemetry {") }
        }, "\(gateway.log)")

        var state: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let text = try MQTTTool.retained(port: broker.port, topic: gateway.stateTopic),
               let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
               let services = object["services"] as? [String: [String: Any]],
               services["can"]?["health"] as? String == "ok", services["benchlab"]?["health"] as? String == "ok" {
                state = object
                break
            }
            usleep(200_000)
        }
        let services = try #require(state["services"] as? [String: [String: Any]], "\(gateway.log)")
        #expect(services["can"]?["health"] as? String == "ok")
        #expect(services["benchlab"]?["health"] as? String == "ok")
        #expect(services["can"]?["state"] is [String: Any], "the CAN block is on the state topic, under its service")
        #expect(services["benchlab"]?["state"] is [String: Any], "the Benchlab block is on the state topic, under its service")
        #expect(state["can"] == nil && state["benchlab"] == nil, "no service block at the top level, where it could collide")
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
        _ = devices
    }
}
