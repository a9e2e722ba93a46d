import Benchlab
import CAN
import OTA
import Foundation
import Runtime
import ServiceKit
import Store
import TestSupport
import Testing
import Uplink

/// Stop really stops: a service started and stopped 1,000 times leaves the process with the
/// descriptors, loop watches, tasks, subscriptions and memory it had before.
@Suite("Services started and stopped 1,000 times leak nothing", .serialized)
struct ServiceStopTests {
    private static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    private static func residentKiB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return -1 }
        let pages = Int(text.split(separator: " ")[1]) ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }

    /// A host running `descriptor` against a connected client of a real broker.
    private func rig(_ descriptor: ServiceDescriptor, _ settings: [String: String])
        throws -> (ServiceHost, MQTTClient, EventLoop, ConfigStore, MosquittoBroker)
    {
        let broker = try MosquittoBroker()
        var schema = ConfigSchema.standard
        schema.register(descriptor.keys)
        let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent", environment: { _ in nil })
        for (key, value) in settings { try store.set(key, to: value) }
        let loop = try EventLoop()
        let client = try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: Int32(broker.port),
                                                                           clientID: "stop-\(UUID().uuidString.prefix(8))"),
                                    loop: loop)
        client.start()
        #expect(loop.run(timeout: 5) { client.isConnected })
        let host = ServiceHost(catalogue: [descriptor], store: store, loop: loop, port: client, node: "test",
                               topicPrefix: "switchyard/test", commands: CommandRegistry())
        return (host, client, loop, store, broker)
    }

    private func cycle(_ host: ServiceHost, _ loop: EventLoop, times: Int) throws {
        for _ in 0..<times {
            host.startAll()
            try loop.runOnce(maxWait: .zero)
            host.stopAll()
            try loop.runOnce(maxWait: .zero)
        }
    }

    private func checkNoLeaks(_ name: String, _ descriptor: ServiceDescriptor, _ settings: [String: String]) throws {
        let (host, client, loop, _, broker) = try rig(descriptor, settings)
        // Warm up: the first runs allocate what stays (log buffers, malloc arenas, the pool).
        try cycle(host, loop, times: 20)
        let fds = ServiceStopTests.openDescriptors(), watches = loop.watchCount, tasks = loop.tasks.count
        let subscriptions = client.subscriptionCount, rss = ServiceStopTests.residentKiB()
        try cycle(host, loop, times: 1000)
        #expect(host.health(of: name) == .ok || host.health(of: name)?.name == "degraded", "it did start each time")
        // Other suites run in this process at the same time and open descriptors of their
        // own; a leak here would be one or more per cycle, so 1,000 or more.
        let leaked = ServiceStopTests.openDescriptors() - fds
        #expect(leaked < 50, "\(leaked) more open descriptors after 1,000 cycles")
        #expect(loop.watchCount == watches, "loop watches (wake sources included)")
        #expect(loop.tasks.count == tasks, "fixed-rate tasks")
        #expect(client.subscriptionCount == subscriptions, "MQTT subscriptions")
        #expect(host.context(of: name)?.subscriptionCount == 0)
        let grown = ServiceStopTests.residentKiB() - rss
        #expect(grown < 2048, "RSS grew \(grown) KiB over 1,000 start/stop cycles")
        _ = broker
    }

    @Test("the CAN tunnel (synthetic bus: reader thread, ring, wake source, subscription)")
    func canTunnel() throws {
        let descriptor = ServiceDescriptor(name: "can", summary: "", enabled: CANConfigKeys.enabled,
                                           keys: CANConfigKeys.all) { context in
            CANService(context: context, bus: CANBusSettings(kind: .synthetic, device: "", syntheticRate: 1000))
        }
        try checkNoLeaks("can", descriptor, ["can.enabled": "true", "can.ring_capacity": "256"])
    }

    @Test("the OTA receiver (status task, manifest and chunk subscriptions, connect handler)")
    func ota() throws {
        try checkNoLeaks("ota", OTAService.descriptor(version: "0.1.0"),
                         ["ota.enabled": "true",
                          "ota.public_keys": "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"])
    }

    @Test("the Benchlab publisher (rescan task, a device retrying a port)")
    func benchlab() throws {
        try checkNoLeaks("benchlab", BenchlabService.descriptor,
                         ["benchlab.enabled": "true", "benchlab.discover": "false",
                          "benchlab.ports": "/nonexistent/benchlab0"])
    }

    @Test("a changed setting replaces the instance; commands follow the new one")
    func settingsChangeReplacesTheService() throws {
        let (host, client, loop, store, broker) = try rig(
            ServiceDescriptor(name: "can", summary: "", enabled: CANConfigKeys.enabled, keys: CANConfigKeys.all) {
                CANService(context: $0, bus: CANBusSettings(kind: .synthetic, device: "", syntheticRate: 100))
            }, ["can.enabled": "true"])
        host.startAll()
        let first = try #require(host.service(named: "can"))
        #expect(host.applySettings().isEmpty, "nothing changed, nothing restarts")
        try store.set("can.only_changes", to: "true")
        #expect(host.applySettings() == ["can"])
        let second = try #require(host.service(named: "can"))
        #expect(first !== second)
        #expect((second as? CANService)?.tunnel?.settings.onlyChanges == true)
        #expect(host.commands.lookup("can") != nil)
        try store.set("can.enabled", to: "false")
        #expect(host.applySettings() == ["can"])
        #expect(host.health(of: "can") == .disabled)
        #expect(client.subscriptionCount == 0, "a disabled tunnel holds no subscription")
        _ = (loop, broker)
    }
}
