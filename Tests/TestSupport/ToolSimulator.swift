import Foundation

/// One of the `tools/*-sim.py` simulators as a running test peer: started with
/// `--exit-on-eof --record FILE`, its first line of output (a pty path, a socket path, a
/// port) read, commands sent on its stdin, what it received read from its record file.
///
/// Started with Foundation's Process because it needs a stdin pipe; it is never signalled
/// except SIGKILL as a last resort: closing stdin makes it exit. The simulator wrappers
/// (HCI, mgmt, SLCAN, IoT API) hold one and add their protocol's vocabulary.
public final class ToolSimulator {
    /// The first line the simulator printed, trimmed.
    public let firstLine: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let directory: TemporaryDirectory
    private let recordFile: String

    /// Starts `tools/<tool>` with `arguments` after the common ones and waits for its first line.
    public init(_ tool: String, _ arguments: [String] = []) throws {
        directory = TemporaryDirectory(prefix: tool)
        recordFile = directory.file("record.txt")
        _ = FileManager.default.createFile(atPath: recordFile, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ToolSimulator.script(tool), "--exit-on-eof", "--record", recordFile] + arguments
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
        firstLine = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit { quit() }

    /// The path of `tools/<tool>` in this checkout.
    public static func script(_ tool: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/" + tool).path
    }

    /// Closes stdin (the simulator exits, its pty hangs up or its socket goes) and reaps it.
    public func quit() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Sends one stdin command line.
    public func send(_ text: String) {
        input.fileHandleForWriting.write((text + "\n").data(using: .utf8)!)
    }

    /// Every line of the record file so far.
    public var records: [String] {
        let data = FileManager.default.contents(atPath: recordFile) ?? Data()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
