import Foundation
import TestSupport

/// tools/slcan-sim.py as a test peer: a CANable-like SLCAN adapter on a real pty. Frames
/// are injected through its stdin; what it received from the host is read from its record
/// file (`TX <line>`, `OPEN ...`, `BITRATE S6`, ...).
///
/// Started with Foundation's Process because it needs a stdin pipe; it is never signalled
/// except SIGKILL as a last resort (closing stdin makes it exit).
final class SLCANSimulator {
    let path: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let directory = TemporaryDirectory(prefix: "slcan-sim")
    private let recordFile: String

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/slcan-sim.py").path
    }

    init(extraArguments: [String] = []) throws {
        recordFile = directory.file("record.txt")
        _ = FileManager.default.createFile(atPath: recordFile, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", SLCANSimulator.script, "--exit-on-eof", "--quiet", "--record", recordFile]
            + extraArguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first (and, with --quiet, only) line is the pty's path.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        path = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        precondition(path.hasPrefix("/dev/"), "slcan-sim did not print its pty path")
    }

    deinit { quit() }

    /// Closes stdin (the simulator exits, its pty hangs up) and reaps it.
    func quit() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Sends a frame line (`t1238DEADBEEF01020304`) to the host, as if it came off the bus.
    func emit(_ line: String) { command("frame " + line) }

    /// Sends raw text to the host; `\r`, `\a`, `\n` and `\xHH` are escapes.
    func raw(_ text: String) { command("raw " + text) }

    private func command(_ text: String) {
        input.fileHandleForWriting.write((text + "\n").data(using: .utf8)!)
    }

    /// Everything the simulator reported so far.
    var records: [String] {
        let data = FileManager.default.contents(atPath: recordFile) ?? Data()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Frame lines the host transmitted (and the adapter accepted), in order.
    var transmitted: [String] {
        records.filter { $0.hasPrefix("TX ") }.map { String($0.dropFirst(3)) }
    }
}
