import Benchlab
import Console
import Foundation
import Runtime
import ServiceKit
import Store
import TestSupport
import Testing
import Uplink

@Suite("Benchlab service configuration and lifecycle")
struct BenchlabServiceConfigTests {
    private func store(_ settings: [String: String]) throws -> ConfigStore {
        var schema = ConfigSchema.standard
        schema.register(BenchlabConfigKeys.all)
        let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent", environment: { _ in nil })
        for (key, value) in settings { try store.set(key, to: value) }
        return store
    }

    private func uplink(_ loop: EventLoop) throws -> MQTTClient {
        // Never started: these tests publish nothing.
        try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: 1, clientID: "unused"), loop: loop)
    }

    /// The service as the gateway runs it: from its descriptor, under a service host.
    private func hosted(_ store: ConfigStore, _ loop: EventLoop) throws -> (ServiceHost, BenchlabService, CommandRegistry) {
        let registry = CommandRegistry()
        let host = ServiceHost(catalogue: [BenchlabService.descriptor], store: store, loop: loop, port: try uplink(loop),
                               node: "test", topicPrefix: "switchyard/test", commands: registry)
        host.startAll()
        return (host, try #require(host.service(named: "benchlab") as? BenchlabService), registry)
    }

    @Test("disabled by default: start does nothing and health says disabled")
    func disabledByDefault() throws {
        let loop = try EventLoop()
        let (host, service, registry) = try hosted(try store([:]), loop)
        loop.run(timeout: 0.2) { false }
        #expect(service.devices.isEmpty)
        #expect(host.health(of: "benchlab") == .disabled)
        #expect(registry.execute("benchlab", CommandRequest(origin: .console, arguments: [])).output.text
                == "Benchlab is disabled (benchlab.enabled = false)")
    }

    @Test("a topic template with a wildcard is refused by `set`; one without {uid} fails the start with the reason")
    func invalidTopicFailsStart() throws {
        #expect(throws: StoreError.self) { try store(["benchlab.topic_info": "b/+/{uid}"]) }
        let loop = try EventLoop()
        let (host, _, registry) = try hosted(try store(["benchlab.enabled": "true", "benchlab.topic_info": "b/info"]), loop)
        let health = host.health(of: "benchlab")
        if case .failed(let reason)? = health { #expect(reason.containsText("lacks {uid}")) } else {
            Issue.record("health \(String(describing: health))")
        }
        #expect(registry.lookup("benchlab") != nil, "commands stay registered after a failed start")
    }

    @Test("a configured port with nothing behind it backs off without holding up the loop")
    func missingPortBacksOff() throws {
        let loop = try EventLoop()
        let directory = TemporaryDirectory(prefix: "benchlab-missing")
        let path = directory.file("ttyACM9")
        var settings = BenchlabServiceRig.testSettings(ports: [path])
        settings.retryMaximum = .milliseconds(400)
        let context = BenchlabServiceRig.context(loop: loop, port: try uplink(loop))
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
        let loop = try EventLoop()
        let (host, service, _) = try hosted(
            try store(["benchlab.enabled": "true", "benchlab.ports": "/dev/benchlab-a, /dev/benchlab-b",
                       "benchlab.discover": "false"]), loop)
        #expect(service.settings.explicitPorts == ["/dev/benchlab-a", "/dev/benchlab-b"])
        #expect(service.settings.pollInterval == .seconds(1))
        defer { host.stopAll() }
        loop.run(timeout: 0.2) { false }
        #expect(service.devices.map(\.path) == ["/dev/benchlab-a", "/dev/benchlab-b"])
        #expect(service.devices.allSatisfy { $0.isExplicit && $0.state == .waiting })
        service.stop()
        #expect(service.devices.isEmpty)
    }
}
