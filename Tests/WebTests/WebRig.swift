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

        /// The whole-state events received so far, parsed (not the deltas or pings).
        var events: [JSONValue] { raw.filter { $0.type == "message" }.map { $0.data } }

        /// Every event as sent: its type (`message`, `delta`, `ping`), id and data.
        var raw: [(type: String, id: String?, data: JSONValue)] {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return text.components(separatedBy: "\n\n").compactMap { block in
                let lines = block.split(separator: "\n")
                guard let line = lines.first(where: { $0.hasPrefix("data: ") }),
                      let data = try? JSONValue.parse(String(line.dropFirst(6))) else { return nil }
                let type = lines.first { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) } ?? "message"
                return (type, lines.first { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) }, data)
            }
        }

        /// The state as a page following the stream has it after each event: whole events
        /// taken as they are, deltas applied to the state before (nil after a gap in the ids).
        var states: [JSONValue?] {
            var result: [JSONValue?] = []
            var current: JSONValue? = nil
            var lastID: String? = nil
            for event in raw {
                switch event.type {
                case "message":
                    current = event.data
                case "delta":
                    if let base = event.data["base"]?.intValue, String(base) == lastID, var state = current {
                        for (path, value) in event.data["set"]?.objectValue ?? [:] { state = Self.put(state, path.split(separator: "/").map(String.init), value) }
                        for path in event.data["gone"]?.arrayValue ?? [] {
                            state = Self.put(state, (path.stringValue ?? "").split(separator: "/").map(String.init), nil)
                        }
                        current = state
                    } else {
                        current = nil
                    }
                default:
                    continue
                }
                lastID = event.id
                result.append(current)
            }
            return result
        }

        private static func put(_ root: JSONValue, _ path: [String], _ value: JSONValue?) -> JSONValue {
            guard let key = path.first else { return value ?? .null }
            var object = root.objectValue ?? JSONObject()
            let inner = path.count == 1 ? value : put(object[key] ?? .object(JSONObject()), Array(path.dropFirst()), value)
            var rebuilt = JSONObject()
            var replaced = false
            for (name, old) in object {
                if name == key {
                    replaced = true
                    if let inner { rebuilt.append(name, inner) }
                } else {
                    rebuilt.append(name, old)
                }
            }
            if !replaced, let inner { rebuilt.append(key, inner) }
            object = rebuilt
            return .object(object)
        }
    }
}
