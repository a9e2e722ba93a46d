import Benchlab
import Console
import Foundation
import Runtime
import ServiceKit
import Store
import ServiceTestSupport
import TestSupport
import Testing
import Uplink

@Suite("Benchlab service configuration and lifecycle")
struct BenchlabServiceConfigTests {
    /// The service as the gateway runs it: from its descriptor, under a service host. The
    /// client is never started: these tests publish nothing.
    private func hosted(_ settings: [String: String]) throws -> (ServiceRig, BenchlabService) {
        let rig = try ServiceRig(descriptor: BenchlabService.descriptor, settings: settings, broker: false)
        rig.start()
        return (rig, try rig.service(as: BenchlabService.self))
    }

    @Test("disabled by default: start does nothing and health says disabled")
    func disabledByDefault() throws {
        let (rig, service) = try hosted([:])
        let loop = rig.loop
        loop.run(timeout: 0.2) { false }
        #expect(service.devices.isEmpty)
        #expect(rig.health == .disabled)
        #expect(rig.command("benchlab", []).output.text == "Benchlab is disabled (benchlab.enabled = false)")
    }

    @Test("a topic template with a wildcard is refused by `set`; one without {uid} fails the start with the reason")
    func invalidTopicFailsStart() throws {
        #expect(throws: StoreError.self) {
            try ServiceRig(descriptor: BenchlabService.descriptor, settings: ["benchlab.topic_info": "b/+/{uid}"], broker: false)
        }
        let (rig, _) = try hosted(["benchlab.enabled": "true", "benchlab.topic_info": "b/info"])
        let health = rig.health
        if case .failed(let reason)? = health { #expect(reason.containsText("lacks {uid}")) } else {
            Issue.record("health \(String(describing: health))")
        }
        #expect(rig.commands.lookup("benchlab") != nil, "commands stay registered after a failed start")
    }

    @Test("a configured port with nothing behind it backs off without holding up the loop")
    func missingPortBacksOff() throws {
        let rig = try ServiceRig(descriptor: BenchlabService.descriptor, broker: false)
        let loop = rig.loop
        let path = rig.directory.file("ttyACM9")
        var settings = BenchlabServiceRig.testSettings(ports: [path])
        settings.retryMaximum = .milliseconds(400)
        let context = rig.context()
        let service = BenchlabService(settings: settings, context: context)
        try service.start()
        defer { service.stop() }
        let started = Date()
        var longest: TimeInterval = 0
        while Date().timeIntervalSince(started) < 1.5 {
            let before = Date()
            try loop.runOnce(maxWait: .milliseconds(20))
            longest = max(longest, Date().timeIntervalSince(before))
        }
        let device = try #require(service.devices.first)
        #expect(device.state == .waiting)
        #expect(device.stats.openFailures >= 3, "retried: \(device.stats.openFailures)")
        #expect(device.stats.lastError == "serial port \(path) not found: No such file or directory")
        #expect(longest < 0.1, "no loop pass blocked (longest \(longest) s)")
        if case .degraded = context.health {} else { Issue.record("health \(context.health.name)") }
    }

    @Test("the config store's port list and enable flag reach the service")
    func storeConfiguresService() throws {
        let (rig, service) = try hosted(["benchlab.enabled": "true", "benchlab.ports": "/dev/benchlab-a, /dev/benchlab-b",
                                         "benchlab.discover": "false"])
        #expect(service.settings.explicitPorts == ["/dev/benchlab-a", "/dev/benchlab-b"])
        #expect(service.settings.pollInterval == .seconds(1))
        defer { rig.stop() }
        let loop = rig.loop
        loop.run(timeout: 0.2) { false }
        #expect(service.devices.map(\.path) == ["/dev/benchlab-a", "/dev/benchlab-b"])
        #expect(service.devices.allSatisfy { $0.isExplicit && $0.state == .waiting })
        service.stop()
        #expect(service.devices.isEmpty)
    }
}
