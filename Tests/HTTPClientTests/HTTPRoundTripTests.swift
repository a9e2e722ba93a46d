import Foundation
import HTTPClient
import Runtime
import TestSupport
import Testing

/// Collects one request's outcome; the tests drive the loop until it is there.
final class Outcome {
    var result: Result<HTTPResponse, HTTPClientError>?
    var response: HTTPResponse? { if case .success(let r) = result { return r } else { return nil } }
    var error: HTTPClientError? { if case .failure(let e) = result { return e } else { return nil } }
}

extension HTTPClient {
    /// Sends `request` and runs `loop` until it completes (or 20 s pass).
    func fetch(_ request: HTTPRequest, on loop: EventLoop) throws -> Outcome {
        let outcome = Outcome()
        try send(request) { outcome.result = $0 }
        loop.run(timeout: 20) { outcome.result != nil }
        return outcome
    }
}

@Suite("HTTP client: round trips against a local server")
struct HTTPRoundTripTests {
    @Test("GET answers status, headers and body, for 2xx, 4xx and 5xx alike")
    func getReturnsStatusAndBody() throws {
        let server = try HTTPTestServer()
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        for code in [200, 204, 404, 500] {
            let outcome = try client.fetch(.get(server.url("/status/\(code)")), on: loop)
            let response = try #require(outcome.response, "\(String(describing: outcome.error))")
            #expect(response.status == code)
            #expect(response.isSuccess == (code < 300))
            if code != 204 {
                #expect(response.text == "status \(code)")
                #expect(response.header("content-type") == "text/plain")
                #expect(response.header("Content-Length") == String("status \(code)".utf8.count))
            }
        }
        #expect(client.completedCount == 4)
        #expect(client.inFlight == 0)
    }

    @Test("a form POST arrives percent-encoded with its content type and headers")
    func postFormArrivesEncoded() throws {
        let server = try HTTPTestServer()
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        let request = HTTPRequest.postForm(server.url("/echo"),
                                           fields: [HTTPHeader("grant_type", "refresh_token"),
                                                    HTTPHeader("scope", "a b&c=d/é")],
                                           headers: [HTTPHeader("X-Test", "yes")])
        let response = try #require(try client.fetch(request, on: loop).response)
        let echo = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(echo["method"] as? String == "POST")
        #expect(echo["body"] as? String == "grant_type=refresh_token&scope=a%20b%26c%3Dd%2F%C3%A9")
        let headers = try #require(echo["headers"] as? [String: String])
        #expect(headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(headers["x-test"] == "yes")
        #expect(headers["user-agent"] == "switchyard")
    }

    @Test("a JSON POST, a PUT and a DELETE send method and body unchanged")
    func jsonAndOtherMethods() throws {
        let server = try HTTPTestServer()
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        let json = "{\"token\":\"abc\",\"n\":[1,2,3]}"
        var requests = [HTTPRequest.postJSON(server.url("/echo"), json: json)]
        requests.append(HTTPRequest(method: .put, url: server.url("/echo"), body: Array("put body".utf8)))
        requests.append(HTTPRequest(method: .delete, url: server.url("/echo?x=1")))
        let expected = [("POST", json), ("PUT", "put body"), ("DELETE", "")]
        for (request, (method, body)) in zip(requests, expected) {
            let response = try #require(try client.fetch(request, on: loop).response)
            let echo = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            #expect(echo["method"] as? String == method)
            #expect(echo["body"] as? String == body)
        }
    }

    @Test("nothing listening fails with .connect, promptly")
    func connectionRefused() throws {
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        let outcome = try client.fetch(.get("http://127.0.0.1:\(FreePort.next())/"), on: loop)
        guard case .connect = try #require(outcome.error) else {
            Issue.record("expected .connect, got \(String(describing: outcome.result))")
            return
        }
        #expect(client.failedCount == 1)
    }

    @Test("an invalid request is refused at once and never completes")
    func invalidRequestRefused() throws {
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        #expect(throws: HTTPClientError.self) {
            try client.send(.get("http://127.0.0.1/", headers: [HTTPHeader("X", "a\r\nInjected: 1")])) { _ in
                Issue.record("completion of a refused request")
            }
        }
        #expect(throws: HTTPClientError.self) { try client.send(.get("")) { _ in } }
        #expect(client.inFlight == 0)
    }
}
