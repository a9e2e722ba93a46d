import Foundation
import HTTPClient
import Runtime
import TestSupport
import Testing

@Suite("HTTP client: TLS and secrets")
struct HTTPSTests {
    @Test("HTTPS with the right CA succeeds; a wrong CA or an empty CA directory fails with .tls")
    func tlsVerifiesTheServer() throws {
        let certificates = try TestCertificates()
        let server = try HTTPTestServer(tls: (certificates.serverCertificate, certificates.serverKey))
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        var good = HTTPRequest.get(server.url("/status/200"))
        good.caFile = certificates.caFile
        #expect(try client.fetch(good, on: loop).response?.text == "status 200")

        var wrong = good
        wrong.caFile = certificates.otherCAFile
        let failed = try client.fetch(wrong, on: loop)
        guard case .tls(let reason) = try #require(failed.error) else {
            Issue.record("expected .tls, got \(String(describing: failed.result))")
            return
        }
        #expect(!reason.isEmpty)

        // The system CA directory does not know our test CA either.
        let system = try client.fetch(.get(server.url("/status/200")), on: loop)
        if case .tls = system.error {} else { Issue.record("expected .tls, got \(String(describing: system.result))") }
    }

    @Test("headers and bodies never reach the log, even at debug level")
    func secretsNeverLogged() throws {
        let server = try HTTPTestServer()
        let (_, lines) = try LogCapture.lines {
            let loop = try EventLoop()
            let client = HTTPClient(loop: loop)
            var request = HTTPRequest.postJSON(server.url("/echo?key=query-secret-789"),
                                               json: "{\"token\":\"body-secret-456\"}")
            request.add("Authorization", "Bearer header-secret-123")
            let outcome = try client.fetch(request, on: loop)
            #expect(outcome.response?.text.contains("header-secret-123") == true, "the server did get it")
            _ = try client.fetch(.get(server.url("/status/500?key=query-secret-789")), on: loop)
        }
        #expect(!lines.isEmpty, "debug lines were written")
        for secret in ["header-secret-123", "body-secret-456", "query-secret-789"] {
            #expect(!lines.contains { $0.contains(secret) }, "\(secret) in \(lines)")
        }
    }
}
