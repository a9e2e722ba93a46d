import CAN
@testable import CarData
import Foundation
import Runtime
import ServiceCatalog
import ServiceKit
@testable import Skoda
import Store
import TestSupport
import Testing
import Uplink

/// Stop really stops: every service in the catalogue, started and stopped 1,000 times, leaves
/// the process with the descriptors, loop watches, tasks, subscriptions and memory it had
/// before. A new service is checked by being in the catalogue; `DeepCase` adds what a plain
/// start cannot reach (a bus, a controller, a cloud).
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

    /// The catalogue's descriptor called `name`.
    private static func catalogued(_ name: String) throws -> ServiceDescriptor {
        try #require(ServiceCatalog.services.first { $0.name == name }, "\(name) is in the catalogue")
    }

    /// A host running `descriptor` against a connected client of a real broker (`broker`, or
    /// a plain one of its own), with the service switched on and `settings` over its defaults.
    private func rig(_ descriptor: ServiceDescriptor, _ settings: [String: String], broker given: MosquittoBroker? = nil)
        throws -> (ServiceHost, MQTTClient, EventLoop, ConfigStore, MosquittoBroker)
    {
        let broker = try given ?? MosquittoBroker()
        var schema = ConfigSchema.standard
        schema.register(descriptor.keys + descriptor.storedKeys)
        let store = ConfigStore(schema: schema, dataDirectory: "/nonexistent", environment: { _ in nil })
        try store.set(descriptor.enabled.name, to: "true")
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

    /// What one service gets checked for, besides its start and stop.
    struct CloudProbe {
        /// True once a start is done: its cloud client really connected, so the stop has a
        /// connection to close. Each start waits for it (10 s at most).
        var ready: (ServiceHost) -> Bool
        /// The objects a stop must free (the cloud client), taken just before it.
        var freedAtStop: (ServiceHost) -> [AnyObject]
    }

    private final class WeakReference {
        weak var object: AnyObject?
        init(_ object: AnyObject) { self.object = object }
    }

    /// Starts and stops `times` times. Returns the cycles whose start never got ready or
    /// whose stop did not free what `probe` names (within 5 s); it gives up after a few (a
    /// leak running out of descriptors would otherwise wait 10 s a cycle).
    @discardableResult
    private func cycle(_ host: ServiceHost, _ loop: EventLoop, times: Int, probe: CloudProbe? = nil) throws -> Int {
        var failed = 0
        for _ in 0..<times {
            host.startAll()
            var watched: [WeakReference] = []
            if let probe {
                if !loop.run(timeout: 10, until: { probe.ready(host) }) { failed += 1 }
                watched = probe.freedAtStop(host).map { WeakReference($0) }
            } else {
                try loop.runOnce(maxWait: .zero)
            }
            host.stopAll()
            try loop.runOnce(maxWait: .zero)
            // Weak references: other suites in this process cannot blur this, as they can the
            // descriptor and memory counts below.
            if !watched.isEmpty && !loop.run(timeout: 5, until: { watched.allSatisfy { $0.object == nil } }) { failed += 1 }
            if failed > 3 { break }
        }
        return failed
    }

    /// `started`: what its health must be after the cycles. A service of the catalogue with
    /// its defaults may have no hardware or login to start with: then its failed start is
    /// the path under test, and only `.disabled` (never tried) is wrong.
    private func checkNoLeaks(_ name: String, _ host: ServiceHost, _ client: MQTTClient, _ loop: EventLoop,
                              probe: CloudProbe? = nil, started: (ServiceHealth?) -> Bool) throws {
        // Warm up: the first runs allocate what stays (log buffers, malloc arenas, the pool).
        #expect(try cycle(host, loop, times: 20, probe: probe) == 0, "every warm-up cycle connected and freed its client")
        let fds = ServiceStopTests.openDescriptors(), watches = loop.watchCount, tasks = loop.tasks.count
        let subscriptions = client.subscriptionCount, rss = ServiceStopTests.residentKiB()
        let failed = try cycle(host, loop, times: 1000, probe: probe)
        #expect(failed == 0, "\(failed) cycles did not connect or did not free their cloud client")
        #expect(started(host.health(of: name)), "\(name): \(String(describing: host.health(of: name)))")
        // `make test` runs this suite in a process of its own (scripts/host-tests): these are
        // counts of the whole process. A plain `swift test` runs the other suites beside it,
        // opening descriptors and memory of their own, the more the longer a test runs (a
        // connecting cycle takes some 50 ms); the slack absorbs some of that. A leak here would
        // be one or more descriptors per cycle, so 1,000 or more (the cloud client's was 2,000
        // and 34-53 MB).
        let (fdSlack, rssSlack) = probe == nil ? (50, 2048) : (250, 20 * 1024)
        let leaked = ServiceStopTests.openDescriptors() - fds
        #expect(leaked < fdSlack, "\(leaked) more open descriptors after 1,000 cycles")
        #expect(loop.watchCount == watches, "loop watches (wake sources included)")
        #expect(loop.tasks.count == tasks, "fixed-rate tasks")
        #expect(client.subscriptionCount == subscriptions, "MQTT subscriptions")
        #expect(host.context(of: name)?.subscriptionCount == 0)
        let grown = ServiceStopTests.residentKiB() - rss
        #expect(grown < rssSlack, "RSS grew \(grown) KiB over 1,000 start/stop cycles")
    }

    @Test("every service of the catalogue, switched on with its defaults", arguments: ServiceCatalog.services.map(\.name))
    func catalogueDefaults(name: String) throws {
        let (host, client, loop, _, broker) = try rig(try ServiceStopTests.catalogued(name), [:])
        try checkNoLeaks(name, host, client, loop, started: { $0 != nil && $0 != .disabled })
        _ = broker
    }

    @Test("deeper cases of catalogued services", arguments: DeepCase.allCases)
    func deeper(_ deep: DeepCase) throws {
        var descriptor = try ServiceStopTests.catalogued(deep.service)
        let setup = try deep.setup()
        if let bus = setup.canBus {
            // No setting chooses the synthetic bus (it is for benchmarks): the catalogue's
            // descriptor with the bus handed to the service.
            let base = descriptor
            descriptor = ServiceDescriptor(name: base.name, summary: base.summary, enabled: base.enabled, keys: base.keys,
                                           sharedKeys: base.sharedKeys, storedKeys: base.storedKeys) {
                CANService(context: $0, bus: bus)
            }
        }
        let (host, client, loop, _, broker) = try rig(descriptor, setup.settings, broker: setup.broker)
        try setup.prepare?(host, loop)
        try checkNoLeaks(deep.service, host, client, loop, probe: setup.probe,
                         started: { $0 == .ok || $0?.name == "degraded" })
        setup.finish?()
        _ = (broker, setup.fixtures)
    }

    @Test("a changed setting replaces the instance; commands follow the new one")
    func settingsChangeReplacesTheService() throws {
        let (host, client, loop, store, broker) = try rig(
            ServiceDescriptor(name: "can", summary: "", enabled: CANConfigKeys.enabled, keys: CANConfigKeys.all) {
                CANService(context: $0, bus: CANBusSettings(kind: .synthetic, device: "", syntheticRate: 100))
            }, [:])
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

/// What a plain start of a catalogued service cannot reach: settings over its defaults (and
/// the fakes they point at), keyed by the descriptor's name.
enum DeepCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case canSyntheticBus, bleController, otaWithKeys, benchlabMissingPort, skodaRefreshInFlight, skodaConnected,
         bmwWithoutLogin, bmwConnected, webOnFreePort

    /// The descriptor's name in the catalogue.
    var service: String {
        switch self {
        case .canSyntheticBus: return "can"
        case .bleController: return "ble"
        case .otaWithKeys: return "ota"
        case .benchlabMissingPort: return "benchlab"
        case .skodaRefreshInFlight, .skodaConnected: return "skoda"
        case .bmwWithoutLogin, .bmwConnected: return "bmw"
        case .webOnFreePort: return "web"
        }
    }

    var testDescription: String {
        switch self {
        case .canSyntheticBus: return "the CAN tunnel (synthetic bus: reader thread, ring, wake source, subscription)"
        case .bleController: return "the BLE scanner (an H4 UART controller on a pty: transport, watch, command timer, window task)"
        case .otaWithKeys: return "the OTA receiver (status task, manifest and chunk subscriptions, connect handler)"
        case .benchlabMissingPort: return "the Benchlab publisher (rescan task, a device retrying a port)"
        case .skodaRefreshInFlight: return "the Skoda service (a second MQTT client, a token refresh in flight, the token task)"
        case .skodaConnected: return "the Skoda service connected to its cloud broker each time (token refreshed, MQTT 5 session up)"
        case .bmwWithoutLogin:
            return "BMW CarData without a login (token-check task, a catalogue fetch cancelled at stop, its HTTP requests)"
        case .bmwConnected: return "BMW CarData logged in, its stream connected over TLS each time (refresh, MQTT 5 session up)"
        case .webOnFreePort: return "the web dashboard (listening socket, libmicrohttpd's epoll descriptor, push task)"
        }
    }

    /// A case's settings and what they need running.
    struct Setup {
        var settings: [String: String]
        /// The bus handed to the CAN service instead of the one its settings name.
        var canBus: CANBusSettings? = nil
        /// The broker the gateway's own client uses, when the case needs it for more.
        var broker: MosquittoBroker? = nil
        var probe: ServiceStopTests.CloudProbe? = nil
        /// Runs once before the cycles (a login the later starts reuse).
        var prepare: ((ServiceHost, EventLoop) throws -> Void)? = nil
        /// Runs once after them.
        var finish: (() -> Void)? = nil
        /// Fakes that must live as long as the case.
        var fixtures: [AnyObject] = []
    }

    func setup() throws -> Setup {
        switch self {
        case .canSyntheticBus:
            return Setup(settings: ["can.ring_capacity": "256"],
                         canBus: CANBusSettings(kind: .synthetic, device: "", syntheticRate: 1000))
        case .bleController:
            let sim = try HCISimulator()
            return Setup(settings: ["ble.adapter": sim.path], finish: { sim.quit() }, fixtures: [sim])
        case .otaWithKeys:
            return Setup(settings: ["ota.public_keys": "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"])
        case .benchlabMissingPort:
            return Setup(settings: ["benchlab.discover": "false", "benchlab.ports": "/nonexistent/benchlab0"])
        case .skodaRefreshInFlight:
            // The refresh endpoint refuses connections: every start sends a request that is
            // still in flight (or just failed, with its retry timer) when the stop comes.
            return Setup(settings: ["skoda.user_id": "50f8b18c-d444-422c-998f-2b599f4f0ec7", "skoda.refresh_token": "r", "skoda.fcm_token": "f",
                                    "skoda.refresh_url": "http://127.0.0.1:\(FreePort.next())/refresh",
                                    "skoda.mqtt_tls": "false", "skoda.mqtt_host": "127.0.0.1"])
        case .skodaConnected:
            // tools/http-test-server.py issues access tokens; the test broker stands in for Skoda's.
            let server = try HTTPTestServer()
            let broker = try MosquittoBroker()
            return Setup(
                settings: ["skoda.user_id": "50f8b18c-d444-422c-998f-2b599f4f0ec7", "skoda.vins": "TMBJB9NY6RF999999", "skoda.refresh_token": "r",
                           "skoda.fcm_token": "f",
                           "skoda.refresh_url": server.url("/api/v1/authentication/refresh-token?tokenType=CONNECT"),
                           "skoda.mqtt_tls": "false", "skoda.mqtt_host": "127.0.0.1", "skoda.mqtt_port": String(broker.port)],
                broker: broker,
                probe: .init(ready: { $0.health(of: "skoda") == .ok },
                             freedAtStop: { [($0.service(named: "skoda") as? SkodaService)?.cloud].compactMap { $0 } }),
                fixtures: [server])
        case .bmwWithoutLogin:
            return Setup(settings: ["bmw.client_id": "0b1c2d3e-4f50-4617-8899-aabbccddeeff", "bmw.catalogue_url": "http://127.0.0.1:9/catalogue",
                                    "bmw.auth_url": "http://127.0.0.1:9/oauth"])
        case .bmwConnected:
            // tools/bmw-fake-cloud.py answers the login and every refresh; a TLS listener on
            // the test broker stands in for BMW's (it lets anyone in: the password is not the point).
            let cloud = try FakeBMWCloud()
            let certificates = try TestCertificates()
            let tlsPort = FreePort.next()
            let broker = try MosquittoBroker(extraConfig: certificates.listenerConfig(port: tlsPort))
            _ = FreePort.waitUntilListening(tlsPort, timeout: 5)
            let stream: (ServiceHost) -> CarDataStream? = { ($0.service(named: "bmw") as? CarDataService)?.stream }
            let connected: (ServiceHost) -> Bool = { stream($0)?.client.isConnected == true }
            return Setup(
                settings: ["bmw.client_id": "0b1c2d3e-4f50-4617-8899-aabbccddeeff", "bmw.auth_url": cloud.authURL,
                           "bmw.catalogue_url": "http://127.0.0.1:9/catalogue", "bmw.token_file": "",
                           "bmw.mqtt_host": "localhost", "bmw.mqtt_port": String(tlsPort),
                           "bmw.mqtt_ca_file": certificates.caFile],
                broker: broker,
                probe: .init(ready: connected, freedAtStop: { host in
                    guard let stream = stream(host) else { return [] }
                    return [stream, stream.client]
                }),
                prepare: { host, loop in
                    // Log in once, as `bmw login` would: the login stays in the store for every later start.
                    host.startAll()
                    let service = try #require(host.service(named: "bmw") as? CarDataService)
                    service.authorizer?.slowDownStep = 1 // BMW's 5 s, shortened
                    #expect(service.beginLogin())
                    #expect(loop.run(timeout: 30) { connected(host) }, "\(service.stateJSON())")
                    host.stopAll()
                },
                fixtures: [cloud, certificates])
        case .webOnFreePort:
            return Setup(settings: ["web.port": String(FreePort.next())])
        }
    }
}
