import Foundation
import HTTPClient
import Runtime
import TestSupport
import Testing

@Suite("HTTP client: timeouts, size caps, concurrency, cancellation")
struct HTTPLimitsTests {
    @Test("a server that never answers fails with .timeout after the request's timeout")
    func hangingServerTimesOut() throws {
        let server = try HTTPTestServer()
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        let started = Date()
        let outcome = try client.fetch(HTTPRequest(url: server.url("/hang"), timeout: .milliseconds(500)), on: loop)
        #expect(outcome.error == .timeout)
        #expect(Date().timeIntervalSince(started) >= 0.45)
        #expect(client.inFlight == 0)
    }

    @Test("a body past the cap is refused: declared length and chunked alike")
    func oversizedBodyRefused() throws {
        let server = try HTTPTestServer()
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop, settings: HTTPClientSettings(maxResponseBytes: 10_000))
        for path in ["/bytes/200000", "/chunked/200000"] {
            let outcome = try client.fetch(.get(server.url(path)), on: loop)
            #expect(outcome.error == .tooLarge(limit: 10_000), "\(path): \(String(describing: outcome.result))")
        }
        // Under the cap it arrives whole; a request may raise its own cap.
        let small = try #require(try client.fetch(.get(server.url("/bytes/5000")), on: loop).response)
        #expect(small.body.count == 5000)
        var big = HTTPRequest.get(server.url("/chunked/200000"))
        big.maxResponseBytes = 300_000
        #expect(try client.fetch(big, on: loop).response?.body.count == 200_000)
    }

    @Test("many requests at once all complete; past maxInFlight one more is refused as busy")
    func manyConcurrentRequests() throws {
        let server = try HTTPTestServer()
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop, settings: HTTPClientSettings(maxInFlight: 40))
        var statuses: [Int: Int] = [:]
        var failures: [HTTPClientError] = []
        for index in 0..<40 {
            try client.send(.get(server.url("/status/\(200 + index % 3)"))) { result in
                switch result {
                case .success(let response): statuses[index] = response.status
                case .failure(let error): failures.append(error)
                }
            }
        }
        #expect(client.inFlight == 40)
        #expect(throws: HTTPClientError.busy(limit: 40)) { try client.send(.get(server.url("/status/200"))) { _ in } }
        #expect(client.refusedCount == 1)
        #expect(loop.run(timeout: 30) { statuses.count + failures.count == 40 })
        #expect(failures.isEmpty, "\(failures)")
        #expect((0..<40).allSatisfy { statuses[$0] == 200 + $0 % 3 })
        #expect(client.inFlight == 0)
    }

    @Test("the run loop stays responsive while a slow server dribbles its body")
    func loopResponsiveDuringDribble() throws {
        let server = try HTTPTestServer()
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        var ticks = 0
        let task = loop.addTask("tick", every: .milliseconds(20)) { ticks += 1 }
        defer { task.cancel() }
        // 15 one-byte chunks, 100 ms apart: about 1.5 s of dribbling.
        let slow = Outcome()
        try client.send(.get(server.url("/dribble/15/100"))) { slow.result = $0 }
        var ticksWhenFastDone = -1
        let fast = Outcome()
        loop.after(.milliseconds(200)) {
            _ = try? client.send(.get(server.url("/status/200"))) { result in
                fast.result = result
                ticksWhenFastDone = ticks
            }
        }
        #expect(loop.run(timeout: 20) { slow.result != nil })
        #expect(slow.response?.text == String(repeating: "d", count: 15))
        #expect(fast.response?.status == 200, "a second request completes while the first dribbles")
        #expect(slow.response.map { $0.duration >= .milliseconds(1000) } == true)
        // The fast request finished long before the slow one, and timers kept firing meanwhile
        // (a blocked loop would show a handful of ticks, not dozens).
        #expect(ticksWhenFastDone >= 0 && ticksWhenFastDone < ticks)
        #expect(ticks >= 25, "ticks: \(ticks)")
    }

    @Test("a cancelled request never completes and leaves no socket watched")
    func cancelledRequestLeavesNothing() throws {
        let server = try HTTPTestServer()
        let loop = try EventLoop()
        let baseline = loop.watchCount
        let client = HTTPClient(loop: loop)
        let id = try client.send(.get(server.url("/hang"))) { _ in Issue.record("completion after cancel") }
        loop.run(timeout: 5) { loop.watchCount > baseline }
        #expect(loop.watchCount > baseline, "curl watches its socket through the loop")
        client.cancel(id)
        #expect(client.inFlight == 0)
        #expect(client.cancelledCount == 1)
        loop.run(timeout: 1) { false }
        #expect(loop.watchCount == baseline)
        // The client still works afterwards.
        #expect(try client.fetch(.get(server.url("/status/200")), on: loop).response?.status == 200)
    }
}
