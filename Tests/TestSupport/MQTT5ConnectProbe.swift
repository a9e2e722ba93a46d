import Foundation

/// tools/mqtt5-connect-probe.py as a test peer: a broker stand-in that records every CONNECT
/// (username, password, user properties, session expiry) and answers with the CONNACK
/// reason codes it is given. A subscriber on a real broker never sees another client's
/// CONNECT; this does.
public final class MQTT5ConnectProbe {
    /// One recorded CONNECT.
    public struct Connect {
        public let clientID: String
        public let username: String?
        public let password: String?
        public let userProperties: [[String]]
        public let sessionExpiry: Int?
        public let cleanStart: Bool
        public let keepalive: Int
        public let protocolLevel: Int
    }

    /// One recorded SUBSCRIBE: its filters and the SUBACK codes answered.
    public struct Subscribe {
        public let filters: [String]
        public let answer: [Int]
    }

    public let port: Int
    private let directory = TemporaryDirectory(prefix: "mqtt5-probe")
    private let process: Subprocess

    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Starts the probe; `reasons` are the CONNACK codes for successive connects, the last
    /// repeating ("0d142": accept, then DISCONNECT with reason 142 after `disconnectAfter` s).
    /// `subacks` answer successive SUBSCRIBEs, the last repeating: "grant", or a refusal
    /// code from 128 up ("135": not authorized).
    public init(reasons: [String] = ["0"], disconnectAfter: Double = 0.3, subacks: [String] = ["grant"]) throws {
        let tool = MQTT5ConnectProbe.repository.appendingPathComponent("tools/mqtt5-connect-probe.py").path
        process = try Subprocess("/usr/bin/env", ["python3", tool, "--record", directory.file("connects.jsonl"),
                                                  "--reasons", reasons.joined(separator: ","),
                                                  "--disconnect-after", String(disconnectAfter),
                                                  "--suback", subacks.joined(separator: ",")],
                                 stdout: .pipe, stderr: .file(directory.file("stderr.log")))
        guard let line = process.readLine(), let port = Int(line) else { throw ProbeError.didNotStart }
        self.port = port
        guard FreePort.waitUntilListening(port, timeout: 5) else { throw ProbeError.didNotStart }
    }

    deinit { process.signal(SIGTERM) }

    private var records: [[String: Any]] {
        guard let text = try? String(contentsOfFile: directory.file("connects.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    /// Every SUBSCRIBE so far, oldest first, with the answer it got.
    public var subscribes: [Subscribe] {
        records.compactMap { object in
            guard let filters = object["subscribe"] as? [String] else { return nil }
            return Subscribe(filters: filters, answer: object["answer"] as? [Int] ?? [])
        }
    }

    /// Every CONNECT so far, oldest first.
    public var connects: [Connect] {
        records.compactMap { object in
            guard object["subscribe"] == nil else { return nil }
            return Connect(clientID: object["client_id"] as? String ?? "",
                           username: object["username"] as? String,
                           password: object["password"] as? String,
                           userProperties: object["user_properties"] as? [[String]] ?? [],
                           sessionExpiry: object["session_expiry"] as? Int,
                           cleanStart: object["clean_start"] as? Bool ?? false,
                           keepalive: object["keepalive"] as? Int ?? 0,
                           protocolLevel: object["protocol"] as? Int ?? 0)
        }
    }

    public enum ProbeError: Error { case didNotStart }
}
