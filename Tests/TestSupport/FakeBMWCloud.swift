import Foundation

/// tools/bmw-fake-cloud.py as a test peer: BMW's OAuth device flow, token refresh and
/// catalogue on a loopback port; optionally keeps a mosquitto password file in step with the
/// id_tokens it issues (the local broker then stands in for BMW's).
public final class FakeBMWCloud {
    public let port: Int
    public let directory = TemporaryDirectory(prefix: "bmw-cloud")
    private let process: Subprocess

    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Starts the tool on a free port; `arguments` are its options (`--passwd`, `--stale`, ...).
    public init(arguments: [String] = []) throws {
        let tool = FakeBMWCloud.repository.appendingPathComponent("tools/bmw-fake-cloud.py").path
        process = try Subprocess("/usr/bin/env", ["python3", tool, "--record", directory.file("requests.jsonl")] + arguments,
                                 stdout: .pipe, stderr: .file(directory.file("stderr.log")))
        guard let line = process.readLine(), let port = Int(line) else { throw CloudError.didNotStart }
        self.port = port
    }

    deinit { process.signal(SIGTERM) }

    public var authURL: String { "http://127.0.0.1:\(port)/oauth" }
    public var catalogueURL: String { "http://127.0.0.1:\(port)/catalogue" }

    /// The requests so far, as JSON objects (never holding a token).
    public var requests: [[String: Any]] {
        guard let text = try? String(contentsOfFile: directory.file("requests.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    public var stderr: String { (try? String(contentsOfFile: directory.file("stderr.log"), encoding: .utf8)) ?? "" }

    public enum CloudError: Error { case didNotStart }
}
