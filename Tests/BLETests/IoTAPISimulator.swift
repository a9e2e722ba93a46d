import Foundation
import TestSupport

/// tools/iot-api-sim.py as a test peer: the seed's IoT API on a local port, recording every
/// submission; `mode ok|500|hang` switches its answer.
final class IoTAPISimulator {
    let port: Int
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let directory = TemporaryDirectory(prefix: "iot-sim")
    private let recordFile: String

    init() throws {
        recordFile = directory.file("record.txt")
        _ = FileManager.default.createFile(atPath: recordFile, contents: nil)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/iot-api-sim.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--exit-on-eof", "--record", recordFile]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5)) else { throw TestFailure("iot-api-sim: \(text)") }
        self.port = port
    }

    deinit {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var url: String { "http://127.0.0.1:\(port)/api/iot/data" }

    func mode(_ mode: String) { input.fileHandleForWriting.write("mode \(mode)\n".data(using: .utf8)!) }

    var records: [String] {
        let data = FileManager.default.contents(atPath: recordFile) ?? Data()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

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
