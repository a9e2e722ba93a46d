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

    @Test("connections trickling their headers lose their slots at the header deadline, so a real client gets in",
          .timeLimit(.minutes(1)))
    func slowHeadersAreCut() throws {
        let deadline = 2.0
        let rig = try WebRig(["web.max_clients": "4", "web.header_timeout_s": String(Int(deadline))])
        // One of them first finishes a request and keeps the connection: the next request's
        // headers are due within the deadline too.
        var tricklers = [try HTTPProbe(port: rig.port)]
        #expect(tricklers[0].get("/api/state", loop: rig.loop).status == 200)
        for _ in 0..<3 { tricklers.append(try HTTPProbe(port: rig.port)) }
        let opened = Date()
        for trickler in tricklers { trickler.send(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)) }
        #expect(rig.loop.run(timeout: 5) { rig.webState["clients"]?.intValue == 4 }, "every slot taken")

        // A byte every 100 ms each, far inside libmicrohttpd's 30 s idle timeout, which every
        // byte resets; meanwhile a real client knocks every 250 ms until it is served.
        let filler = Array("X-Slow: 0123456789abcdef\r\n".utf8)
        var sent = 0
        var lastTrickle = Date.distantPast, lastKnock = Date.distantPast
        var closedAfter: [Int: TimeInterval] = [:]
        var servedAfter: TimeInterval?
        var refusedKnocks = 0
        rig.loop.run(timeout: deadline + 5) {
            let now = Date()
            if now.timeIntervalSince(lastTrickle) >= 0.1 {
                lastTrickle = now
                for (index, trickler) in tricklers.enumerated() where closedAfter[index] == nil {
                    trickler.send([filler[sent % filler.count]])
                }
                sent += 1
            }
            for (index, trickler) in tricklers.enumerated() where closedAfter[index] == nil {
                trickler.collect()
                if trickler.closed { closedAfter[index] = now.timeIntervalSince(opened) }
            }
            if servedAfter == nil && now.timeIntervalSince(lastKnock) >= 0.25, let knock = try? HTTPProbe(port: rig.port) {
                lastKnock = now
                let reply = knock.get("/api/state", loop: rig.loop, timeout: 1)
                if reply.status == 200 { servedAfter = Date().timeIntervalSince(opened) } else { refusedKnocks += 1 }
            }
            return closedAfter.count == tricklers.count && servedAfter != nil
        }
        #expect(closedAfter.count == 4, "every trickler was closed: \(closedAfter)")
        for (index, after) in closedAfter {
            #expect(after >= deadline - 0.3 && after <= deadline + 1.5, "trickler \(index) held its slot \(after) s")
        }
        #expect(refusedKnocks > 0, "while the slots were held, a real client was refused")
        let served = try #require(servedAfter, "a real client got in")
        #expect(served <= deadline + 1.5, "served \(served) s after the slots were taken")
        #expect(rig.webState["header_timeouts"]?.intValue == 4)
        #expect(rig.loop.run(timeout: 5) { rig.webState["clients"]?.intValue == 0 })
    }
}
