@testable import BLE
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import TestSupport
import Uplink

/// Stores, clients and a hosted BLE service for the service tests.
enum BLETestSupport {
    static func store(_ values: [String: String], directory: TemporaryDirectory) throws -> ConfigStore {
        var schema = ConfigSchema.standard
        schema.register(BLEService.descriptor.keys + BLEService.descriptor.storedKeys)
        let store = ConfigStore(schema: schema, dataDirectory: directory.path, environment: { _ in nil })
        for (key, value) in values { try store.set(key, to: value) }
        return store
    }

    static func client(_ broker: MosquittoBroker, loop: EventLoop) throws -> MQTTClient {
        var settings = MQTTSettings(host: "127.0.0.1", port: Int32(broker.port),
                                    clientID: "ble-test-\(UUID().uuidString.prefix(8))")
        settings.keepaliveSeconds = 10
        return try MQTTClient(name: "uplink", settings: settings, loop: loop)
    }

    /// The service as the gateway runs it: from its descriptor, under a service host.
    static func hosted(_ store: ConfigStore, _ loop: EventLoop, _ client: MQTTClient) throws
        -> (ServiceHost, BLEService, CommandRegistry)
    {
        let registry = CommandRegistry()
        let host = ServiceHost(catalogue: [BLEService.descriptor], store: store, loop: loop, port: client, node: "test",
                               topicPrefix: "switchyard/test", commands: registry)
        host.startAll()
        guard let service = host.service(named: "ble") as? BLEService else { throw TestFailure("no ble service") }
        return (host, service, registry)
    }

    static func bcms(_ registry: CommandRegistry, _ arguments: [String], origin: CommandRequest.Origin = .console)
        -> CommandReply
    {
        registry.execute("bcms", CommandRequest(origin: origin, arguments: arguments))
    }

    /// The JSON payload of the last observer line on `topic`.
    static func last(_ observer: MQTTObserver, _ topic: String) -> JSONValue? {
        guard let line = observer.lines.last(where: { $0.hasPrefix(topic + " ") }) else { return nil }
        return try? JSONValue.parse(Array(line.dropFirst(topic.count + 1).utf8))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
