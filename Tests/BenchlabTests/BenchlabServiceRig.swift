import Benchlab
import Console
import Foundation
import Runtime
import ServiceKit
import ServiceTestSupport
import TestSupport
import Uplink

/// A Benchlab service under test with everything real around it: simulated devices on ptys
/// and the shared ServiceRig (broker, store, loop, connected client), plus an independent
/// subscriber. The service is built by hand so its timings can be shortened.
final class BenchlabServiceRig {
    let simulator: BenchlabSimulator
    let rig: ServiceRig
    let observer: MQTTObserver
    let service: BenchlabService
    let context: ServiceContext
    var loop: EventLoop { rig.loop }

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
        rig = try ServiceRig(descriptor: BenchlabService.descriptor)
        observer = try rig.observe(["clients/#"])
        context = rig.context()
        service = BenchlabService(settings: BenchlabServiceRig.testSettings(ports: simulator.devices.map(\.link)),
                                  context: context)
        try service.start()
    }

    deinit { service.stop() }

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
}
