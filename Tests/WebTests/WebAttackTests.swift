import Foundation
import JSON
import Runtime
import TestSupport
import Testing
@testable import Web

/// The dashboard under the attacks of issue 20: password guessing at full speed, and
/// slowloris (connections trickling their headers to hold every slot).
@Suite("Web dashboard under attack", .serialized)
struct WebAttackTests {
    private static func basic(_ user: String, _ password: String) -> String {
        "Authorization: Basic " + Data((user + ":" + password).utf8).base64EncodedString()
    }

    @Test("a burst of wrong passwords is throttled per client: most get 429 unchecked, the right one works after the wait")
    func passwordGuessingIsThrottled() throws {
        let rig = try WebRig(["web.bind": "0.0.0.0", "web.password": "s3cret-pw"])
        let (_, lines) = try LogCapture.lines {
            let guesser = try HTTPProbe(port: rig.port)
            var statuses: [Int: Int] = [:]
            var lastRefusal: HTTPProbe.Response?
            let started = Date()
            for guess in 0..<1000 {
                let reply = guesser.get("/api/state", headers: [WebAttackTests.basic("admin", "guess\(guess)")],
                                        loop: rig.loop)
                statuses[reply.status, default: 0] += 1
                if reply.status == 429 { lastRefusal = reply }
            }
            let seconds = Date().timeIntervalSince(started)
            // 3 free tries, then one per wait: 1 s, 2 s, 4 s... after t seconds that is
            // at most 3 + log2(t + 1) + 1 passwords looked at, whatever the request rate.
            let allowed = 3 + Int(log2(seconds + 1)) + 1
            let checked = rig.webState["auth_failures"]?.intValue ?? -1
            #expect(checked >= 3 && checked <= allowed, "\(checked) of 1000 guesses checked in \(seconds) s")
            #expect(statuses[401] == checked, "\(statuses) \(String(describing: lastRefusal))")
            #expect(statuses[429] == 1000 - checked, "the rest were answered 429 without a look at the password")
            #expect(rig.webState["auth_throttled"]?.intValue == 1000 - checked)
            let retryAfter = try #require(Int(lastRefusal?.headers["retry-after"] ?? ""), "429 says when to retry")
            #expect((1...60).contains(retryAfter))

            // Another client (another address) is not held up by this one's guessing.
            let neighbour = try HTTPProbe(port: rig.port, source: "127.0.0.2")
            #expect(neighbour.get("/api/state", headers: [WebAttackTests.basic("admin", "s3cret-pw")], loop: rig.loop).status == 200)

            // The guesser's own right password is not looked at during its wait, then works.
            let right = WebAttackTests.basic("admin", "s3cret-pw")
            #expect(guesser.get("/api/state", headers: [right], loop: rig.loop).status == 429)
            var admitted = false
            let deadline = Date().addingTimeInterval(Double(retryAfter) + 2)
            while !admitted && Date() < deadline {
                admitted = guesser.get("/api/state", headers: [right], loop: rig.loop).status == 200
                if !admitted { rig.loop.run(timeout: 0.2) { false } }
            }
            #expect(admitted, "the right password works once the wait (\(retryAfter) s) is over")
            // A success clears the record: a slip after it is free again.
            #expect(guesser.get("/api/state", headers: [WebAttackTests.basic("admin", "typo")], loop: rig.loop).status == 401)
        }
        let warnings = lines.filter { $0.contains("wrong password from 127.0.0.1") }
        #expect(warnings.count == 1, "one warning, the rest held back by the limiter: \(warnings)")
        #expect(!lines.contains { $0.contains("s3cret-pw") || $0.contains("guess1") }, "no password is logged")
    }

    @Test("the login throttle's table is bounded: the client whose last wrong password is oldest goes first")
    func throttleTableIsBounded() {
        var throttle = LoginThrottle(capacity: 3, freeFailures: 1, firstDelay: .seconds(1), maxDelay: .seconds(4))
        var now = Instant(nanoseconds: 1_000_000_000)
        let clients = (1...4).map { ClientAddress(bytes: [10, 0, 0, UInt8($0)]) }
        #expect(throttle.failed(clients[0], now: now) == nil, "the free failure")
        #expect(throttle.failed(clients[0], now: now) == .seconds(1))
        #expect(throttle.failed(clients[0], now: now) == .seconds(2))
        for _ in 0..<5 { _ = throttle.failed(clients[0], now: now) }
        #expect(throttle.wait(for: clients[0], now: now) == .seconds(4), "doubling stops at the cap")
        for client in clients[1...2] {
            now = now + .seconds(1)
            _ = throttle.failed(client, now: now)
        }
        now = now + .seconds(1)
        _ = throttle.failed(clients[3], now: now)
        #expect(throttle.records.count == 3)
        #expect(throttle.records[clients[0]] == nil, "the oldest was forgotten")
        #expect(throttle.evictions == 1)
        throttle.succeeded(clients[3])
        #expect(throttle.records[clients[3]] == nil)

        // One IPv6 host holds a /64: its addresses count as one client; a mapped IPv4 is that IPv4.
        let a = ClientAddress(bytes: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1] + [0, 0, 0, 0, 0, 0, 0, 1])
        let b = ClientAddress(bytes: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1] + [9, 9, 9, 9, 9, 9, 9, 9])
        #expect(a == b)
        #expect(a.description == "2001:db8:0:1::/64")
        #expect(ClientAddress(bytes: [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 192, 168, 1, 5])
                == ClientAddress(bytes: [192, 168, 1, 5]))
        #expect(ClientAddress(bytes: [192, 168, 1, 5]).description == "192.168.1.5")
    }

    /// A connection that sends a request's first line and then one header byte every 100 ms,
    /// far inside libmicrohttpd's 30 s idle timeout, which every byte resets.
    private final class Trickler {
        static let filler = Array("X-Slow: 0123456789abcdef\r\n".utf8)
        let probe: HTTPProbe
        let opened = Date()
        private var sent = 0
        private var last = Date()
        init(port: Int) throws {
            probe = try HTTPProbe(port: port)
            probe.send(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8))
        }
        /// Sends the next byte when due; whether the server has closed the connection.
        func trickle() -> Bool {
            if Date().timeIntervalSince(last) >= 0.1 {
                last = Date()
                probe.send([Trickler.filler[sent % Trickler.filler.count]])
                sent += 1
            }
            probe.collect()
            return probe.closed
        }
    }

    @Test("connections trickling their headers are closed at the header deadline, however often they send a byte",
          .timeLimit(.minutes(1)))
    func slowHeadersAreCut() throws {
        let deadline = 2.0
        let rig = try WebRig(["web.max_clients": "4", "web.header_timeout_s": String(Int(deadline))])
        // One of them first finishes a request and keeps the connection: the next request's
        // headers are due within the deadline too.
        let keptAlive = try HTTPProbe(port: rig.port)
        #expect(keptAlive.get("/api/state", loop: rig.loop).status == 200)
        let start = Date()
        keptAlive.send(Array("GET / HTTP/1.1\r\n".utf8))
        let tricklers = try (0..<3).map { _ in try Trickler(port: rig.port) }
        #expect(rig.loop.run(timeout: 5) { rig.webState["clients"]?.intValue == 4 }, "every slot taken")

        var closedAfter: [Int: TimeInterval] = [:]
        var keptAliveClosedAfter: TimeInterval?
        rig.loop.run(timeout: deadline + 5) {
            for (index, trickler) in tricklers.enumerated() where closedAfter[index] == nil && trickler.trickle() {
                closedAfter[index] = Date().timeIntervalSince(trickler.opened)
            }
            if keptAliveClosedAfter == nil {
                keptAlive.collect()
                if keptAlive.closed { keptAliveClosedAfter = Date().timeIntervalSince(start) }
            }
            return closedAfter.count == tricklers.count && keptAliveClosedAfter != nil
        }
        #expect(closedAfter.count == 3, "every trickler was closed: \(closedAfter)")
        for (index, after) in closedAfter {
            #expect(after >= deadline - 0.3 && after <= deadline + 1.5, "trickler \(index) held its slot \(after) s")
        }
        let kept = try #require(keptAliveClosedAfter, "the kept-alive connection owing its next headers was closed")
        #expect(kept <= deadline + 1.5, "\(kept) s")
        #expect(rig.webState["header_timeouts"]?.intValue == 4)
        #expect(rig.loop.run(timeout: 5) { rig.webState["clients"]?.intValue == 0 })
        #expect(keptAlive.get("/api/state", loop: rig.loop).status == 0, "closed for good")
        #expect(try HTTPProbe(port: rig.port).get("/api/state", loop: rig.loop).status == 200)
    }

    @Test("while trickling connections hold every slot (and reconnect when closed), real clients are still served",
          .timeLimit(.minutes(1)))
    func realClientsGetInDuringSlowloris() throws {
        let rig = try WebRig(["web.max_clients": "4"])
        var tricklers = try (0..<4).map { _ in try Trickler(port: rig.port) }
        #expect(rig.loop.run(timeout: 5) { rig.webState["clients"]?.intValue == 4 }, "every slot taken")
        // A page's event stream is served, not waiting: it is never closed to make room.
        let page = try HTTPProbe(port: rig.port)
        page.send(Array("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".utf8))

        var statuses: [Int] = []
        var replaced = 0
        var lastKnock = Date.distantPast, lastReplace = Date.distantPast
        let started = Date()
        rig.loop.run(timeout: 4) {
            let closed = tricklers.indices.filter { tricklers[$0].trickle() }
            // The attacker opens a new one for each closed, ten times a second.
            if !closed.isEmpty && Date().timeIntervalSince(lastReplace) >= 0.1 {
                lastReplace = Date()
                for index in closed {
                    if let fresh = try? Trickler(port: rig.port) { tricklers[index] = fresh }
                    replaced += 1
                }
            }
            if Date().timeIntervalSince(lastKnock) >= 0.25 {
                lastKnock = Date()
                let knock = (try? HTTPProbe(port: rig.port))?.get("/api/state", loop: rig.loop, timeout: 1)
                statuses.append(knock?.status ?? -1)
            }
            return Date().timeIntervalSince(started) >= 3
        }
        #expect(statuses.count >= 8)
        #expect(statuses.allSatisfy { $0 == 200 }, "every real client was served: \(statuses)")
        #expect((rig.webState["waiting_evicted"]?.intValue ?? 0) >= statuses.count, "each made room by closing a trickler")
        #expect(replaced > 0)
        page.collect()
        #expect(!page.closed, "the open page kept its stream")
    }
}
