import Benchlab
import Console
import Foundation
import Runtime
import Store
import ServiceKit
import TestSupport
import Uplink

/// A Benchlab service under test with everything real around it: simulated devices on ptys,
/// a mosquitto broker, the gateway's MQTT client, and an independent subscriber.
final class BenchlabServiceRig {
    let simulator: BenchlabSimulator
    let broker: MosquittoBroker
    let observer: MQTTObserver
    let loop: EventLoop
    let uplink: MQTTClient
    let service: BenchlabService
    let context: ServiceContext

    /// Fast timings so faults and recoveries fit in seconds; the protocol's own are longer.
    static func testSettings(ports: [String]) -> BenchlabSettings {
        var settings = BenchlabSettings()
        settings.explicitPorts = ports
        settings.discoverByUSB = false
        settings.pollInterval = .milliseconds(200)
        settings.rescanInterval = .seconds(1)
        settings.retryInitial = .milliseconds(200)
        settings.retryMaximum = .seconds(1)
        return settings
    }

    init(devices specs: [String], values: [BenchlabRawValues]) throws {
        simulator = try BenchlabSimulator(specs)
        for (index, value) in values.enumerated() { try simulator.setValues(index, value) }
        broker = try MosquittoBroker()
        observer = try MQTTObserver(port: broker.port, topics: ["clients/#"])
        loop = try EventLoop()
        uplink = try MQTTClient(name: "uplink",
                                settings: MQTTSettings(host: "127.0.0.1", port: Int32(broker.port),
                                                       clientID: "benchlab-test-\(UUID().uuidString.prefix(8))"),
                                loop: loop)
        context = BenchlabServiceRig.context(loop: loop, port: uplink)
        service = BenchlabService(settings: BenchlabServiceRig.testSettings(ports: simulator.devices.map(\.link)),
                                  context: context)
        uplink.start()
        guard loop.run(timeout: 5, until: { uplink.isConnected }) else { throw RigError.noBroker }
        try service.start()
    }

    deinit { service.stop() }

    /// A service context over a store of the standard and Benchlab keys (the service under
    /// test gets its settings directly, with the protocol's timings shortened).
    static func context(loop: EventLoop, port: MessagePort) -> ServiceContext {
        var schema = ConfigSchema.standard
        schema.register(BenchlabConfigKeys.all)
        let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent", environment: { _ in nil })
        return ServiceContext(name: "benchlab", store: store, loop: loop, port: port, node: "test",
                              topicPrefix: "switchyard/test", isEnabled: true)
    }

    /// The service's device for simulated device `index`.
    func device(_ index: Int) -> BenchlabDevice? {
        service.devices.first { $0.path == simulator.devices[index].link }
    }

    /// Payloads received on `uid`'s topic `kind` (`info` or `telemetry`), in order.
    func payloads(_ uid: String, _ kind: String) -> [String] {
        let prefix = "clients/client_uuid/links/link_uuid/benchlabs/\(uid)/\(kind) "
        return observer.lines.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// Runs the loop until every device in `indices` is polling and has published `count`
    /// telemetry messages more than `baseline` (per UID).
    @discardableResult
    func runUntilPublished(_ indices: [Int], count: Int, baseline: [String: Int] = [:], timeout: TimeInterval = 10) -> Bool {
        loop.run(timeout: timeout) {
            indices.allSatisfy { index in
                let uid = simulator.devices[index].uid
                return payloads(uid, "telemetry").count >= (baseline[uid] ?? 0) + count
            }
        }
    }

    /// Telemetry counts per UID right now.
    func telemetryCounts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for device in simulator.devices { counts[device.uid] = payloads(device.uid, "telemetry").count }
        return counts
    }

    /// Every telemetry payload of device `index` checked against `values`; the problems found.
    func telemetryProblems(_ index: Int, _ values: BenchlabRawValues) -> [String] {
        let device = simulator.devices[index]
        let expected = values.expectedTelemetry(model: device.model, firmware: device.firmware)
        var problems: [String] = []
        for payload in payloads(device.uid, "telemetry") {
            guard let object = TelemetryCheck.object(payload) else { problems.append("not JSON: \(payload)"); continue }
            problems += TelemetryCheck.mismatches(object, expected)
        }
        return problems
    }

    enum RigError: Error { case noBroker }
}
