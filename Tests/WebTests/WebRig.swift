import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import TestSupport
import ServiceTestSupport
import Testing
import Uplink
import Web

/// The dashboard as the gateway runs it (from its descriptor, under a service host) on a free
/// loopback port, and curl as the browser. The loop runs on the test thread, so every request
/// pumps it until curl is done.
final class WebRig {
    let rig: ServiceRig
    let port: Int
    var directory: TemporaryDirectory { rig.directory }
    var store: ConfigStore { rig.store }
    var loop: EventLoop { rig.loop }
    var host: ServiceHost { rig.host }
    var registry: CommandRegistry { rig.commands }

    init(_ settings: [String: String] = [:]) throws {
        port = settings["web.port"].flatMap { Int($0) } ?? FreePort.next()
        var values = ["web.enabled": "true", "web.port": String(port)]
        values.merge(settings) { _, new in new }
        // No broker: the dashboard does not need one, and its client is never started.
        rig = try ServiceRig(descriptor: WebService.descriptor, settings: values, broker: false)
        rig.start()
    }

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
