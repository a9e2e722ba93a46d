import Foundation
import TestSupport

/// tools/iot-api-sim.py as a test peer: the BCMS backend's IoT API on a local port (device
/// registration, last data submission, data submission), recording every request;
/// `mode ok|500|hang` switches every answer, `fail ENDPOINT ...` one endpoint's.
final class IoTAPISimulator {
    let port: Int
    private let tool: ToolSimulator

    init() throws {
        tool = try ToolSimulator("iot-api-sim.py")
        let text = tool.firstLine
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5)) else { throw TestFailure("iot-api-sim: \(text)") }
        self.port = port
    }

    /// The application's base URL (`iot.url`).
    var url: String { "http://127.0.0.1:\(port)/app" }

    func mode(_ mode: String) { command("mode " + mode) }

    /// Sends a stdin command and waits (5 s at most) until the simulator says it took effect.
    func command(_ text: String) {
        tool.send(text)
        let deadline = Date().addingTimeInterval(5)
        while !records.contains("OK " + text) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }

    /// The MAC -> id pairs the backend created.
    var created: [(mac: String, id: String)] {
        records.filter { $0.hasPrefix("CREATE ") }.map { line in
            let parts = line.split(separator: " ")
            return (String(parts[1]), String(parts[2]))
        }
    }

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
