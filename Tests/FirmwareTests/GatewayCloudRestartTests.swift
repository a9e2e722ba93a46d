import Foundation
import TestSupport
import Testing

/// Issue 20 item 5, as the attack ran it: anyone on the local broker may `set` and `save` an
/// ordinary `skoda.*` key, and each save restarts the Skoda service. Every restart leaked the
/// cloud client's socketpair (59 -> 259 descriptors in 100 rounds; some 480 rounds exhaust
/// the gateway). The gateway binary itself, its Skoda cloud really connected each round.
/// Since items 1-2 no `skoda.*` key is open to the broker any more, so the rounds run with
/// `cmnd.allow_privileged` on: the restarts a trusted operator causes must not leak either.
@Suite("switchyard run: Skoda restarted 100 times over MQTT keeps its descriptors", .serialized)
struct GatewayCloudRestartTests {
    private static func descriptors(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    private static func count(_ text: String, in log: String) -> Int {
        log.components(separatedBy: text).count - 1
    }

    @Test("100 set/save rounds of skoda.discovery_prefix leave the descriptor count where it was")
    func skodaRestartsLeakNoDescriptors() throws {
        let broker = try MosquittoBroker()
        let server = try HTTPTestServer()
        let data = TemporaryDirectory(prefix: "gateway-skoda")
        // The local broker stands in for Skoda's (plain MQTT 5), the test server for its refresh endpoint.
        #expect(ChildProcessConfig.set([
            "skoda.enabled": "true", "skoda.user_id": "50f8b18c-d444-422c-998f-2b599f4f0ec7", "skoda.vins": "TMBJB9NY6RF999999",
            "skoda.refresh_token": "r", "skoda.fcm_token": "f",
            "skoda.refresh_url": server.url("/api/v1/authentication/refresh-token?tokenType=CONNECT"),
            "skoda.mqtt_host": "127.0.0.1", "skoda.mqtt_port": String(broker.port), "skoda.mqtt_tls": "false",
            "cmnd.allow_privileged": "true",
        ], data: data.path))
        let gateway = try GatewayProcess(broker: broker, data: data)
        defer { gateway.process.signal(SIGKILL) }
        let connected = "connected to the MySkoda broker"
        #expect(gateway.waitForLog(connected, timeout: 20), "\(gateway.log)")
        let pid = gateway.process.pid
        let results = try MQTTObserver(port: broker.port, topics: ["switchyard/\(gateway.node)/result"])
        let before = GatewayCloudRestartTests.descriptors(pid)

        let rounds = 100
        for round in 1...rounds {
            let cmnd = "switchyard/\(gateway.node)/cmnd/"
            try MQTTTool.publish(port: broker.port, topic: cmnd + "set", message: "skoda.discovery_prefix ha\(round)")
            #expect(results.wait(timeout: 10) { $0.count == 2 * round - 1 }, "set \(round): \(results.lines.suffix(2))")
            try MQTTTool.publish(port: broker.port, topic: cmnd + "save", message: "")
            #expect(results.wait(timeout: 10) { $0.count == 2 * round }, "save \(round): \(results.lines.suffix(2))")
            // Restarted, refreshed and connected again: the old client had a connection to close.
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline && GatewayCloudRestartTests.count(connected, in: gateway.log) < round + 1 {
                usleep(20_000)
            }
            guard GatewayCloudRestartTests.count(connected, in: gateway.log) == round + 1 else {
                Issue.record("round \(round): Skoda did not connect again: \(gateway.log.suffix(2000))")
                return
            }
        }
        let after = GatewayCloudRestartTests.descriptors(pid)
        #expect(GatewayCloudRestartTests.count("skoda: settings changed, restarting", in: gateway.log) == rounds)
        // The figure for the issue's closing note.
        print("skoda restarts: \(rounds) set/save rounds, descriptors \(before) -> \(after)")
        #expect(after - before < 10, "descriptors \(before) -> \(after) over \(rounds) restarts")
        gateway.process.signal(SIGTERM)
        #expect(gateway.process.wait(timeout: 10)?.status == 0)
    }
}
