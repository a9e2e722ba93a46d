import Foundation
import HTTPClient
import Runtime
import TestSupport
import Testing

/// Issue 27: an HTTPS request made before the clock is synchronised is held, not failed, and
/// goes out once the time service opens `ClockTrust`; plain HTTP never waits. ClockTrust is
/// process-wide: the test puts it back to `.unmanaged`.
@Suite("HTTP client: HTTPS waits for the clock")
struct HTTPSClockTrustTests {
    @Test("HTTPS is held while the clock is not synchronised, then completes")
    func httpsWaitsForTheClock() throws {
        try ClockTrustTestLock.hold {
            let certificates = try TestCertificates()
            let tls = try HTTPTestServer(tls: (certificates.serverCertificate, certificates.serverKey))
            let plain = try HTTPTestServer()
            let loop = try EventLoop()
            let client = HTTPClient(loop: loop)
            var secure = HTTPRequest.get(tls.url("/status/200"))
            secure.caFile = certificates.caFile
            ClockTrust.set(.waiting)
            defer { ClockTrust.set(.unmanaged) }
            var secureResult: Result<HTTPResponse, HTTPClientError>?
            var plainResult: Result<HTTPResponse, HTTPClientError>?
            try client.send(secure) { secureResult = $0 }
            try client.send(.get(plain.url("/status/200"))) { plainResult = $0 }
            #expect(loop.run(timeout: 10) { plainResult != nil }, "plain HTTP does not wait")
            _ = loop.run(timeout: 1.5) { secureResult != nil }
            #expect(secureResult == nil, "held while the clock is not trusted")
            ClockTrust.set(.synchronised)
            #expect(loop.run(timeout: 10) { secureResult != nil })
            if case .success(let response) = secureResult { #expect(response.text == "status 200") } else {
                Issue.record("expected a response, got \(String(describing: secureResult))")
            }
        }
    }
}
