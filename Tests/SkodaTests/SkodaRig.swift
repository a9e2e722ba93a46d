import Foundation
import HTTPClient
import JSON
import Runtime
import ServiceKit
@testable import Skoda
import Store
import TestSupport
import Testing
import Uplink

/// The Skoda service as the gateway runs it (from its descriptor, under a ServiceHost), with
/// a real mosquitto as both the local broker and (plain, unless told) Skoda's broker, and
/// tools/http-test-server.py as the refresh endpoint.
final class SkodaRig {
    static let configuredRefresh = "configured-refresh-SECRET-1"
    static let fcm = "fcm-SECRET-2"
    /// The first bytes of every JWT the test server issues (its header), to grep for.
    static let jwtHeader = "eyJhbGciOiAibm9uZSIs"

    let broker: MosquittoBroker
    let server: HTTPTestServer
    let directory = TemporaryDirectory(prefix: "skoda")
    let store: ConfigStore
    let loop: EventLoop
    let uplink: MQTTClient
    let registry = CommandRegistry()
    var host: ServiceHost
    let refreshLog: String
    let modeFile: String

    init(settings extra: [String: String] = [:], cloudPort: Int? = nil, certificates: TestCertificates? = nil,
         serverArguments: [String] = []) throws {
        broker = try MosquittoBroker()
        refreshLog = directory.file("refresh.jsonl")
        modeFile = directory.file("mode")
        try "ok".write(toFile: modeFile, atomically: true, encoding: .utf8)
        server = try HTTPTestServer(tls: certificates.map { ($0.serverCertificate, $0.serverKey) },
                                    arguments: ["--skoda-log", refreshLog, "--skoda-mode-file", modeFile] + serverArguments)
        var schema = ConfigSchema.standard
        schema.register(SkodaConfigKeys.all)
        let data = directory.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        store = ConfigStore(schema: schema, dataDirectory: data, environment: { _ in nil })
        var values = [
            "skoda.enabled": "true", "skoda.user_id": SkodaSeedExamples.user, "skoda.vins": SkodaSeedExamples.vin,
            "skoda.refresh_token": SkodaRig.configuredRefresh, "skoda.fcm_token": SkodaRig.fcm,
            "skoda.refresh_url": server.url("/api/v1/authentication/refresh-token?tokenType=CONNECT"),
            "skoda.mqtt_host": "127.0.0.1", "skoda.mqtt_port": String(cloudPort ?? broker.port), "skoda.mqtt_tls": "false",
        ]
        if let certificates { values["http.ca_file"] = certificates.caFile }
        for (key, value) in extra { values[key] = value }
        for (key, value) in values { try store.set(key, to: value) }
        loop = try EventLoop()
        uplink = try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: Int32(broker.port),
                                                                       clientID: "skoda-test-uplink"), loop: loop)
        uplink.start()
        host = SkodaRig.makeHost(store: store, loop: loop, uplink: uplink, registry: registry)
        guard loop.run(timeout: 10, until: { [uplink] in uplink.isConnected }) else { throw RigError.noUplink }
    }

    static func makeHost(store: ConfigStore, loop: EventLoop, uplink: MQTTClient, registry: CommandRegistry) -> ServiceHost {
        ServiceHost(catalogue: [SkodaService.descriptor], store: store, loop: loop, port: uplink, node: "test",
                    topicPrefix: "switchyard/test", commands: registry)
    }

    var service: SkodaService { host.service(named: "skoda") as! SkodaService }

    /// The bodies the refresh endpoint received, oldest first.
    var refreshBodies: [String] {
        guard let text = try? String(contentsOfFile: refreshLog, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let body = object["body"] as? String,
                  let inner = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
            return inner["token"] as? String
        }
    }

    func setMode(_ mode: String) throws { try mode.write(toFile: modeFile, atomically: true, encoding: .utf8) }

    /// `skoda <arguments>` as the console would run it.
    func command(_ arguments: String...) -> CommandReply {
        registry.execute("skoda", CommandRequest(origin: .console, arguments: arguments))
    }

    var status: JSONValue { command("status").output.json }

    func waitConnected(timeout: TimeInterval = 20) -> Bool {
        loop.run(timeout: timeout) { self.status["connection"]?.stringValue == "connected" }
    }

    /// Waits until the broker acknowledged the service's subscription: messages published
    /// before that would reach no one (the test blocks the loop while mosquitto_pub runs).
    func waitSubscribed(timeout: TimeInterval = 20) -> Bool {
        loop.run(timeout: timeout) { self.broker.log.contains("Sending SUBACK to switchyard-test-skoda") }
    }

    enum RigError: Error { case noUplink }
}
