import Foundation

/// tools/mgmt-sim.py as a test peer: the kernel's mgmt channel on a Unix SOCK_SEQPACKET
/// socket (`ble.mgmt_socket`), speaking real mgmt packets. Faults and events are driven
/// through its stdin; what it received is read from its record file (`CMD <opcode> ...`,
/// `PAIR <MAC>`, `KEY ltk <MAC> <hex>`, `LOADED ltk <n> <MAC>=<hex>`, `CANCEL <MAC>`, ...).
public final class MgmtSimulator {
    public let path: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let directory = TemporaryDirectory(prefix: "mgmt-sim")
    private let recordFile: String

    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/mgmt-sim.py").path
    }

    /// A simulator whose pairings take `delay` seconds; `fault` is none, auth, silent, already or nobond.
    public init(delay: Double = 0.5, fault: String = "none") throws {
        recordFile = directory.file("record.txt")
        _ = FileManager.default.createFile(atPath: recordFile, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", MgmtSimulator.script, "--exit-on-eof", "--record", recordFile,
                             "--socket", directory.file("mgmt.sock"), "--delay", String(delay), "--fault", fault]
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
        precondition(path.hasSuffix("mgmt.sock"), "mgmt-sim did not print its socket path")
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

    /// Sends a stdin command (`fault auth`, `unpaired MAC`, `raw HEX`, ...).
    public func send(_ text: String) {
        input.fileHandleForWriting.write((text + "\n").data(using: .utf8)!)
    }

    public var records: [String] {
        let data = FileManager.default.contents(atPath: recordFile) ?? Data()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The commands received, as `opcode index params` hex.
    public var commands: [String] { records.filter { $0.hasPrefix("CMD ") }.map { String($0.dropFirst(4)) } }

    /// The long term key value (hex) the simulated kernel handed out for `mac`, if any.
    public func longTermKey(_ mac: String) -> String? {
        records.last { $0.hasPrefix("KEY ltk " + mac + " ") }.map { String($0.split(separator: " ")[3]) }
    }

    /// The identity resolving key value (hex) handed out for `mac`, if any.
    public func identityKey(_ mac: String) -> String? {
        records.last { $0.hasPrefix("KEY irk " + mac + " ") }.map { String($0.split(separator: " ")[3]) }
    }

    /// Every `LOADED ltk|irk ...` line: what the gateway handed back.
    public func loaded(_ kind: String) -> [String] { records.filter { $0.hasPrefix("LOADED " + kind + " ") } }
}
