import Foundation

/// tools/hci-sim.py as a test peer: an HCI UART controller on a real pty, speaking H4.
/// Adverts and faults are driven through its stdin; what it received from the host is read
/// from its record file (`CMD <opcode> <params>`, `SCAN on`, `PARAMS active`, ...).
public final class HCISimulator {
    public let path: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let directory = TemporaryDirectory(prefix: "hci-sim")
    private let recordFile: String

    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/hci-sim.py").path
    }

    public init(extraArguments: [String] = []) throws {
        recordFile = directory.file("record.txt")
        _ = FileManager.default.createFile(atPath: recordFile, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", HCISimulator.script, "--exit-on-eof", "--quiet", "--record", recordFile]
            + extraArguments
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
        path = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        precondition(path.hasPrefix("/dev/"), "hci-sim did not print its pty path")
    }

    deinit { quit() }

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

    /// Sends a stdin command (`sensors`, `silent`, `mute`, `advert HEX MAC RSSI`, ...).
    public func send(_ text: String) {
        input.fileHandleForWriting.write((text + "\n").data(using: .utf8)!)
    }

    public var records: [String] {
        let data = FileManager.default.contents(atPath: recordFile) ?? Data()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The commands received, as `opcode params` hex.
    public var commands: [String] { records.filter { $0.hasPrefix("CMD ") }.map { String($0.dropFirst(4)) } }

    /// How many times the host enabled scanning.
    public var scanEnables: Int { records.filter { $0 == "SCAN on" }.count }
}
