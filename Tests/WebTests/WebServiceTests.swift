import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import TestSupport
import Testing
import Web

/// The dashboard over real HTTP (curl against libmicrohttpd inside our run loop): routes,
/// refusals, live events, client cap and authentication.
@Suite("Web dashboard over HTTP", .serialized)
struct WebServiceTests {
    @Test("the page, /api/state and /metrics round-trip; unknown paths are 404 and counted")
    func servesRoutes() throws {
        let rig = try WebRig()
        #expect(rig.host.health(of: "web") == .ok)

        let page = try rig.get("/")
        #expect(page.status == 200)
        #expect(page.headers.lowercased().contains("content-type: text/html"))
        #expect(page.body.contains("new EventSource(\"events\")"), "the page subscribes to the live stream")
        for remote in ["src=\"http", "href=\"http", "url(http", "@import", "https://"] {
            #expect(!page.body.contains(remote), "no CDN: nothing loads from elsewhere (\(remote))")
        }
        #expect(page.body.contains("<script id=\"snapshot\" type=\"application/json\">{\"services\":{\"web\""),
                "the page carries the state it was served with")

        let state = try rig.get("/api/state")
        #expect(state.status == 200)
        #expect(state.headers.lowercased().contains("content-type: application/json"))
        let json = try JSONValue.parse(state.body)
        #expect(json["services"]?["web"]?["state"]?["running"]?.boolValue == true)
        #expect(json["services"]?["web"]?["health"]?.stringValue == "ok")

        let metrics = try rig.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("switchyard_service_up{service=\"web\"} 1\n"), "\(metrics.body)")
        #expect(metrics.body.contains("# TYPE switchyard_web_requests_total counter\nswitchyard_web_requests_total "))

        let missing = try rig.get("/nope")
        #expect(missing.status == 404)
        #expect(missing.body.contains("/api/state"), "the 404 says where to go")
        #expect(rig.webState["not_found"]?.intValue == 1)
        #expect(rig.webState["requests"]?.intValue == 4)
    }

    @Test("requests with a body, other methods and oversized headers are refused")
    func refusesBadRequests() throws {
        let rig = try WebRig()
        let post = try rig.curl(["-X", "POST", "--data", "x=1", rig.base + "/api/state"])
        #expect(post.status == 405, "only /api/action takes a POST")
        let put = try rig.curl(["-X", "PUT", rig.base + "/api/state"])
        #expect(put.status == 405)
        #expect(put.headers.contains("Allow: GET, HEAD, POST"))
        let body = try rig.curl(["-X", "GET", "--data", String(repeating: "a", count: 100), rig.base + "/api/state"])
        #expect(body.status == 413)
        let huge = try rig.curl(["-H", "X-Filler: " + String(repeating: "b", count: 40_000), rig.base + "/"])
        #expect(huge.status == 431 || huge.status == 413, "status \(huge.status)")
        #expect(rig.webState["rejected_requests"]?.intValue == 2)
        // Still serving after all that.
        #expect(try rig.get("/api/state").status == 200)
    }

    @Test("an open event stream gets the state at once and again after a value changes")
    func eventStreamFollowsChanges() throws {
        let rig = try WebRig(["web.update_ms": "100"])
        let listener = try WebRig.EventListener(rig)
        #expect(rig.loop.run(timeout: 10) { !listener.events.isEmpty }, "first event")
        let first = try #require(listener.events.first)
        let before = try #require(first["services"]?["web"]?["state"]?["requests"]?.intValue)
        #expect(rig.webState["streams"]?.intValue == 1)

        // A request changes the dashboard's own counter in `state`.
        #expect(try rig.get("/api/state").status == 200)
        let changed = rig.loop.run(timeout: 10) {
            listener.states.contains { ($0?["services"]?["web"]?["state"]?["requests"]?.intValue ?? 0) > before }
        }
        #expect(changed, "an event after the change shows it")
        #expect((rig.webState["events_sent"]?.intValue ?? 0) >= 2)
    }

    @Test("after the first whole state the stream sends only the blocks that changed, each event naming the one it follows")
    func eventStreamSendsDeltas() throws {
        let rig = try WebRig(["web.update_ms": "100"])
        // A gateway state with a part that never changes and a reading block that does.
        var reading = 0
        rig.host.stateProvider = {
            ["node": "delta-node", "version": "9.9.9",
             "services": ["meter": ["health": "ok", "readings": [["id": "m1", "values": [["key": "w", "value": .int(reading)]]]]]]]
        }
        let listener = try WebRig.EventListener(rig)
        #expect(rig.loop.run(timeout: 10) { !listener.events.isEmpty }, "first event")
        for value in 1...3 {
            reading = value
            #expect(rig.loop.run(timeout: 10) {
                listener.states.last??["services"]?["meter"]?["readings"]?[0]?["values"]?[0]?["value"]?.intValue == value
            }, "the page's state follows to \(value)")
        }
        // The first update after the stream opened is a whole state; later ones are deltas.
        let deltas = listener.raw.filter { $0.type == "delta" }
        #expect(deltas.count >= 2)
        for delta in deltas {
            let set = delta.data["set"]?.objectValue?.keys ?? []
            #expect(set == ["services/meter/readings"], "only the reading block that changed: \(delta.data)")
        }
        let sizes = deltas.map { $0.data.serialized().utf8.count }, whole = listener.events[0].serialized().utf8.count
        #expect(sizes.allSatisfy { $0 < whole }, "a delta is smaller than the whole state (\(sizes) vs \(whole))")
        // Applied in order, they give what the gateway has now.
        let last = try #require(listener.states.last ?? nil)
        #expect(last["services"]?["meter"]?["readings"]?[0]?["values"]?[0]?["value"]?.intValue == 3)
        #expect(last["node"]?.stringValue == "delta-node", "unchanged parts stay from the whole state")
        #expect(deltas.allSatisfy { $0.data["base"]?.intValue == $0.id.flatMap { Int($0) }.map { $0 - 1 } },
                "each delta names the event it follows")
    }

    @Test("more clients than web.max_clients are refused and counted; a freed slot serves again")
    func capsClients() throws {
        let rig = try WebRig(["web.max_clients": "2"])
        var listeners = [try WebRig.EventListener(rig), try WebRig.EventListener(rig)]
        #expect(rig.loop.run(timeout: 10) { listeners.allSatisfy { !$0.events.isEmpty } })
        #expect(rig.webState["clients"]?.intValue == 2)

        let refused = try rig.get("/api/state")
        #expect(refused.status == 0, "no HTTP answer: the connection is closed at accept")
        #expect(rig.webState["refused_clients"]?.intValue == 1)

        listeners.removeLast()  // curl killed: its connection closes
        #expect(rig.loop.run(timeout: 10) { rig.webState["clients"]?.intValue == 1 })
        #expect(try rig.get("/api/state").status == 200)
    }

    @Test("a client that never reads fills its socket, gets fewer events, and blocks nobody")
    func slowClientDoesNotBlock() throws {
        let rig = try WebRig(["web.update_ms": "100"])
        // A big, always-changing state makes the stuck socket's buffers fill quickly.
        var counter = 0
        // Both fillers change at every update, so every delta carries 256 KiB too.
        let fillers = [String(repeating: "x", count: 256 * 1024), String(repeating: "y", count: 256 * 1024)]
        rig.host.stateProvider = {
            counter += 1
            return ["counter": .int(counter), "filler": .string(fillers[counter % 2]), "services": rig.host.stateJSON()]
        }
        let stuck = try RawClient(port: rig.port, request: "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        let superseded = rig.loop.run(timeout: 20) { (rig.webState["events_superseded"]?.intValue ?? 0) > 0 }
        #expect(superseded, "events for the stuck client were replaced, not queued")
        let started = Date()
        #expect(try rig.get("/metrics").status == 200)
        #expect(Date().timeIntervalSince(started) < 5, "others are served while one client is stuck")
        _ = stuck
    }

    @Test("a bind that is no address is refused at set; a port already taken fails the start naming the key")
    func badListenSettings() throws {
        do {
            _ = try WebRig(["web.bind": "gateway.example"])
            Issue.record("took a host name as the address to listen on")
        } catch let error as StoreError {
            #expect(error.description.hasPrefix("web.bind: "), "\(error)")
        }

        let first = try WebRig()
        let second = try WebRig(["web.port": String(first.port)])
        guard case .failed(let taken)? = second.host.health(of: "web") else {
            Issue.record("two dashboards on one port")
            return
        }
        #expect(taken.contains("web.port"), "\(taken)")
        #expect(try first.get("/api/state").status == 200, "the first one is unaffected")
    }

    @Test("off loopback it needs a password; then basic auth guards every path")
    func authentication() throws {
        let open = try WebRig(["web.bind": "0.0.0.0"])
        guard case .failed(let why)? = open.host.health(of: "web") else {
            Issue.record("started on 0.0.0.0 without a password")
            return
        }
        #expect(why.contains("web.password"))
        let status = open.registry.execute("web", CommandRequest(origin: .console, arguments: ["status"]))
        #expect(status.output.json["running"]?.boolValue == false)

        let rig = try WebRig(["web.bind": "0.0.0.0", "web.password": "s3cret-pw"])
        #expect(rig.host.health(of: "web") == .ok)
        let anonymous = try rig.get("/api/state")
        #expect(anonymous.status == 401)
        #expect(anonymous.headers.contains("WWW-Authenticate: Basic realm=\"switchyard test\""))
        #expect(try rig.get("/api/state", ["-u", "admin:wrong"]).status == 401)
        let admitted = try rig.get("/api/state", ["-u", "admin:s3cret-pw"])
        #expect(admitted.status == 200)
        #expect(!admitted.body.contains("s3cret-pw"), "the password is never shown")
        #expect(admitted.body.contains("\"auth\":\"set\""))
        #expect(rig.webState["unauthorized"]?.intValue == 2)
    }
}

/// A TCP client that sends one request and then never reads (a stuck phone on bad Wi-Fi).
final class RawClient {
    private let fd: Int32
    init(port: Int, request: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // A small receive buffer, so the server's side fills after little data.
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        #expect(HTTPProbe.connectLoopback(fd, port: port))
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
    }
    deinit { close(fd) }
}
