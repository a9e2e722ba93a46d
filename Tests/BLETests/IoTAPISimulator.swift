import Foundation
import TestSupport

/// tools/iot-api-sim.py as a test peer: the seed's IoT API on a local port, recording every
/// submission; `mode ok|500|hang` switches its answer.
final class IoTAPISimulator {
    let port: Int
    private let tool: ToolSimulator

    init() throws {
        tool = try ToolSimulator("iot-api-sim.py")
        let text = tool.firstLine
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5)) else { throw TestFailure("iot-api-sim: \(text)") }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)/api/iot/data" }

    func mode(_ mode: String) { tool.send("mode " + mode) }

    var records: [String] { tool.records }

    /// The accepted bodies, parsed.
    var accepted: [[String: Any]] {
        records.filter { $0.hasPrefix("POST ") }.compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 3)
            guard parts.count == 4 else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(parts[3].utf8)) as? [String: Any]
        }
    }

    /// The Authorization header of every accepted POST (`-` when none; spaces as `_`).
    var authorizations: [String] {
        records.filter { $0.hasPrefix("POST ") }.map { String($0.split(separator: " ")[2]) }
    }

    /// Every sample timestamp-and-fields entry accepted, per device id and data type.
    var acceptedSamples: [(id: String, type: String, entry: [String: Any])] {
        var all: [(String, String, [String: Any])] = []
        for body in accepted {
            for group in body["data"] as? [[String: Any]] ?? [] {
                for entry in group["data"] as? [[String: Any]] ?? [] {
                    all.append((group["iotDeviceId"] as? String ?? "", group["dataType"] as? String ?? "", entry))
                }
            }
        }
        return all
    }
}
