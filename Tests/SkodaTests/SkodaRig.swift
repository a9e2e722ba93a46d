import Foundation
import HTTPClient
import JSON
import Runtime
import ServiceKit
@testable import Skoda
import Store
import TestSupport
import ServiceTestSupport
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

    let rig: ServiceRig
    let server: HTTPTestServer
    let directory = TemporaryDirectory(prefix: "skoda")
    /// The host the tests start and stop; a test replaces it to restart the gateway.
    var host: ServiceHost
    let refreshLog: String
    let modeFile: String
    var broker: MosquittoBroker { rig.broker! }
    var store: ConfigStore { rig.store }
    var loop: EventLoop { rig.loop }

    init(settings extra: [String: String] = [:], cloudPort: Int? = nil, certificates: TestCertificates? = nil,
         serverArguments: [String] = []) throws {
        refreshLog = directory.file("refresh.jsonl")
        modeFile = directory.file("mode")
        try "ok".write(toFile: modeFile, atomically: true, encoding: .utf8)
        server = try HTTPTestServer(tls: certificates.map { ($0.serverCertificate, $0.serverKey) },
                                    arguments: ["--skoda-log", refreshLog, "--skoda-mode-file", modeFile] + serverArguments)
        // The local broker is Skoda's too unless the test gives another port: the rig's broker
        // port is only known once it runs, so that one value is set after.
        var values = [
            "skoda.enabled": "true", "skoda.user_id": SkodaSeedExamples.user, "skoda.vins": SkodaSeedExamples.vin,
            "skoda.refresh_token": SkodaRig.configuredRefresh, "skoda.fcm_token": SkodaRig.fcm,
            "skoda.refresh_url": server.url("/api/v1/authentication/refresh-token?tokenType=CONNECT"),
            "skoda.mqtt_host": "127.0.0.1", "skoda.mqtt_tls": "false",
        ]
        if let cloudPort { values["skoda.mqtt_port"] = String(cloudPort) }
        if let certificates { values["http.ca_file"] = certificates.caFile }
        for (key, value) in extra { values[key] = value }
        rig = try ServiceRig(descriptor: SkodaService.descriptor, settings: values)
        if values["skoda.mqtt_port"] == nil { try rig.store.set("skoda.mqtt_port", to: String(rig.port)) }
        host = rig.host
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
    func command(_ arguments: String...) -> CommandReply { rig.command("skoda", arguments) }

    var status: JSONValue { command("status").output.json }

    func waitConnected(timeout: TimeInterval = 20) -> Bool {
        loop.run(timeout: timeout) { self.status["connection"]?.stringValue == "connected" }
    }

    /// Waits until the broker acknowledged the service's subscription: messages published
    /// before that would reach no one (the test blocks the loop while mosquitto_pub runs).
    func waitSubscribed(timeout: TimeInterval = 20) -> Bool {
        loop.run(timeout: timeout) { self.broker.log.contains("Sending SUBACK to switchyard-test-skoda") }
    }
}
