import Foundation

/// tools/http-test-server.py as a child process: a local HTTP or HTTPS server with routes for
/// statuses, echo, big and slow bodies, a hang and the MySkoda token refresh.
public final class HTTPTestServer {
    public let port: Int
    public let isTLS: Bool
    private let process: Subprocess

    /// Starts the server on a free loopback port; `tls` is (certificate, key) for HTTPS.
    public init(tls: (certificate: String, key: String)? = nil, arguments: [String] = []) throws {
        var args = ["python3", HTTPTestServer.script] + arguments
        if let tls { args += ["--tls", tls.certificate, tls.key] }
        process = try Subprocess("/usr/bin/env", args, stdout: .pipe)
        guard let line = process.readLine(), line.hasPrefix("port "), let port = Int(line.dropFirst(5)) else {
            throw HTTPTestServerError.didNotStart
        }
        self.port = port
        isTLS = tls != nil
    }

    deinit {
        process.signal()
        _ = process.wait()
    }

    /// `http(s)://127.0.0.1:<port><path>`.
    public func url(_ path: String) -> String {
        (isTLS ? "https" : "http") + "://127.0.0.1:\(port)" + path
    }

    /// The script's path in the repository.
    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/http-test-server.py").path
    }

    public enum HTTPTestServerError: Error { case didNotStart }
}
