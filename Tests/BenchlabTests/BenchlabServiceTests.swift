import Benchlab
import Console
import Foundation
import JSON
import Runtime
import ServiceKit
import TestSupport
import Testing

@Suite("Benchlab service with simulated devices and a real broker", .serialized)
struct BenchlabServiceTests {
    /// Values that differ per device, so a mixed-up topic or frame shows.
    private static func values(for spec: String, index: Int) -> BenchlabRawValues {
        var values = spec.hasPrefix("bl2") ? BenchlabRawValues.bl2() : BenchlabRawValues()
        values.vin = values.vin.map { $0 + 100 * index }
        values.power[0] = [12_034 + index, 8_250 + 10 * index, 99_280 + 1_000 * index]
        values.tamb = 200 + index
        if spec == "original:2" { values.tchip = 39 } // whole degrees on fw 2
        if index == 1 { values.vin[12] = 0x7FFF }
        return values
    }

    @Test("ORIGINAL fw 2, 3, 5 and BL2 fw 7 at once: info on open, telemetry every poll, value by value")
    func fourDevicesPublishExactValues() throws {
        let specs = ["original:2", "original:3", "original:5", "bl2:7"]
        let values = specs.enumerated().map { BenchlabServiceTests.values(for: $1, index: $0) }
        let rig = try BenchlabServiceRig(devices: specs, values: values)
        #expect(rig.runUntilPublished(Array(0..<4), count: 3))

        for (index, device) in rig.simulator.devices.enumerated() {
            let info = rig.payloads(device.uid, "info")
            #expect(info.count == 1, "info once per open for \(device.uid)")
            let object = try #require(TelemetryCheck.object(info.first ?? ""))
            #expect(object["uid"] as? String == device.uid)
            #expect(object["com_port"] as? String == device.link)
            #expect((object["firmware"] as? NSNumber)?.intValue == device.firmware)
            #expect(object["model"] as? String == device.model)
            #expect(rig.telemetryProblems(index, values[index]) == [], "device \(index) \(device.model) fw \(device.firmware)")
            let serviceDevice = try #require(rig.device(index))
            #expect(serviceDevice.state == .polling)
            // The pushed welcome was drained: identification never had to retry.
            #expect(serviceDevice.stats.opens == 1 && serviceDevice.stats.openFailures == 0)
            #expect(serviceDevice.identity?.uid == device.uid)
        }
        #expect(rig.context.health == .ok)

        let registry = CommandRegistry()
        for command in rig.service.commands { registry.register(command) }
        let list = registry.execute("benchlab", CommandRequest(origin: .console, arguments: ["list"]))
        #expect(list.ok)
        for device in rig.simulator.devices {
            #expect(list.output.text.containsText(device.uid + " " + device.model + " fw \(device.firmware) "
                                                  + device.link + " polling"))
        }
        let state = rig.service.stateJSON()
        #expect(try state.cursor["devices"].array().count == 4)
        #expect(try state.cursor["devices"][3]["model"].string() == "BL2")
        #expect(try state.cursor["devices"][3]["stats"]["published"].int() >= 3)
        #expect(state["health"] == nil, "health appears once, under services.<name>, not in the block")
    }

    @Test("an unplugged device is retried while the others keep publishing; replugged, it comes back")
    func unplugAndReplug() throws {
        let specs = ["original:5", "bl2:7", "original:3"]
        let values = specs.enumerated().map { BenchlabServiceTests.values(for: $1, index: $0) }
        let rig = try BenchlabServiceRig(devices: specs, values: values)
        #expect(rig.runUntilPublished([0, 1, 2], count: 2))
        let gone = rig.simulator.devices[1].uid

        try rig.simulator.unplug(1)
        #expect(rig.loop.run(timeout: 3) { rig.device(1)?.state == .waiting })
        #expect(rig.device(1)?.stats.disconnects == 1)
        if case .degraded = rig.context.health {} else { Issue.record("health \(rig.context.health.name), expected degraded") }
        let before = rig.telemetryCounts()
        #expect(rig.runUntilPublished([0, 2], count: 5, baseline: before), "the others keep publishing")
        #expect(rig.payloads(gone, "telemetry").count == before[gone], "nothing published for the unplugged device")
        #expect((rig.device(1)?.stats.openFailures ?? 0) >= 1, "it kept retrying while away")

        try rig.simulator.replug(1)
        #expect(rig.runUntilPublished([1], count: 3, baseline: before, timeout: 5), "back within the backoff (max 1 s here)")
        #expect(rig.payloads(gone, "info").count == 2, "info again on the reopen")
        #expect(rig.device(1)?.stats.opens == 2)
        #expect(rig.device(1)?.devicePath == rig.simulator.devices[1].slavePath, "reopened on the new pty")
        for index in 0..<3 { #expect(rig.telemetryProblems(index, values[index]) == [], "device \(index)") }
    }

    @Test("short, garbled, overlong and missing replies publish nothing wrong, are counted, and recover")
    func faultyRepliesAreDroppedAndCounted() throws {
        let specs = ["original:5", "bl2:7"]
        let values = specs.enumerated().map { BenchlabServiceTests.values(for: $1, index: $0) }
        let rig = try BenchlabServiceRig(devices: specs, values: values)
        #expect(rig.runUntilPublished([0, 1], count: 2))

        let faults: [(mode: String, counter: (BenchlabStats) -> Int)] = [
            ("short", { $0.shortReplies }), ("garbled", { $0.malformedFrames }),
            ("long", { $0.malformedFrames }), ("silence", { $0.timeouts }),
        ]
        for (round, fault) in faults.enumerated() {
            let index = round % 2
            let counted = fault.counter(rig.device(index)!.stats)
            try rig.simulator.fault(index, fault.mode)
            #expect(rig.loop.run(timeout: 5) { fault.counter(rig.device(index)!.stats) > counted }, "\(fault.mode) counted")
            #expect(rig.device(index)?.stats.lastError.isEmpty == false)
            try rig.simulator.fault(index, "none")
            let before = rig.telemetryCounts()
            #expect(rig.runUntilPublished([0, 1], count: 2, baseline: before), "both publish again after \(fault.mode)")
        }
        for index in 0..<2 { #expect(rig.telemetryProblems(index, values[index]) == [], "device \(index)") }
        #expect(rig.device(0)!.stats.opens >= 3, "every fault closed and reopened the port")
    }

    @Test("readings that change on the device are published as they change")
    func followsChangingValues() throws {
        var values = BenchlabRawValues()
        let rig = try BenchlabServiceRig(devices: ["original:5"], values: [values])
        #expect(rig.runUntilPublished([0], count: 1))
        values.power[5] = [12_111, 5_555, 67_277]
        values.fans[0] = [1, 77, 1_234]
        try rig.simulator.setValues(0, values)
        let uid = rig.simulator.devices[0].uid
        #expect(rig.loop.run(timeout: 5) {
            rig.payloads(uid, "telemetry").last.flatMap(TelemetryCheck.object)?["Fan1_RPM"] as? NSNumber == 1_234
        })
        let last = try #require(rig.payloads(uid, "telemetry").last.flatMap(TelemetryCheck.object))
        #expect(TelemetryCheck.mismatches(last, values.expectedTelemetry(model: "ORIGINAL", firmware: 5)) == [])
    }
}
