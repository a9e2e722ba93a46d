import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import TestSupport
import Testing
import Uplink
import Web

/// The dashboard as the gateway runs it (from its descriptor, under a service host) on a free
/// loopback port, and curl as the browser. The loop runs on the test thread, so every request
/// pumps it until curl is done.
final class WebRig {
    let directory = TemporaryDirectory(prefix: "web")
    let store: ConfigStore
    let loop: EventLoop
    let host: ServiceHost
    let registry = CommandRegistry()
    let port: Int
    private let client: MQTTClient

    init(_ settings: [String: String] = [:]) throws {
        var schema = ConfigSchema.standard
        schema.register(WebConfigKeys.all)
        store = ConfigStore(schema: schema, dataDirectory: directory.path, environment: { _ in nil })
        try store.set("web.enabled", to: "true")
        port = settings["web.port"].flatMap { Int($0) } ?? FreePort.next()
        try store.set("web.port", to: String(port))
        for (key, value) in settings { try store.set(key, to: value) }
        loop = try EventLoop()
        // Never connected: the dashboard does not need the broker.
        client = try MQTTClient(name: "uplink", settings: MQTTSettings(clientID: "web-test"), loop: loop)
        host = ServiceHost(catalogue: [WebService.descriptor], store: store, loop: loop, port: client, node: "test",
                           topicPrefix: "switchyard/test", commands: registry)
        host.startAll()
    }

    deinit { host.stopAll() }

    var base: String { "http://127.0.0.1:\(port)" }

    /// The web service's own block of `state`.
    var webState: JSONValue { host.stateJSON()["web"]?["state"] ?? .null }

    /// One finished curl run: status (0 when no HTTP answer came), headers, body, exit code.
    struct Reply {
        let status: Int
        let headers: String
        let body: String
        let exitCode: Int32
    }

    /// Runs curl with `arguments` (the URL among them) while the loop runs.
    func curl(_ arguments: [String], timeout: TimeInterval = 10) throws -> Reply {
        let id = UUID().uuidString
        let headers = directory.file("h-\(id)"), body = directory.file("b-\(id)"), code = directory.file("c-\(id)")
        let process = try Subprocess("/usr/bin/curl", ["-s", "-D", headers, "-o", body, "-w", "%{http_code}",
                                                       "--max-time", String(Int(timeout))] + arguments,
                                     stdout: .file(code))
        loop.run(timeout: timeout + 2) { !process.isRunning }
        let exit = process.wait()
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Reply(status: Int(read(code)) ?? 0, headers: read(headers), body: read(body), exitCode: exit.status)
    }

    /// GET `path` on the dashboard.
    func get(_ path: String, _ extra: [String] = []) throws -> Reply { try curl(extra + [base + path]) }

    /// A curl holding `/events` open, writing what arrives to a file.
    final class EventListener {
        let process: Subprocess
        let output: String
        init(_ rig: WebRig, _ extra: [String] = []) throws {
            output = rig.directory.file("events-\(UUID().uuidString)")
            process = try Subprocess("/usr/bin/curl", ["-s", "-N", "--max-time", "30"] + extra + [rig.base + "/events"],
                                     stdout: .file(output))
        }
        deinit { process.signal(SIGKILL) }

        /// The `data:` events received so far, parsed.
        var events: [JSONValue] {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return text.components(separatedBy: "\n\n").compactMap { block in
                guard let line = block.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { return nil }
                return try? JSONValue.parse(String(line.dropFirst(6)))
            }
        }
    }
}
