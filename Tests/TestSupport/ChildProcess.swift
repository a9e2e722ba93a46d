import Foundation

/// Runs an executable to completion and captures what it printed.
public struct ProcessResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// True when the process ended by a signal rather than exit().
    public let killedBySignal: Bool
}

public enum ChildProcess {
    /// Runs `executable` with `arguments` and `environment` added to ours; waits for it.
    @discardableResult
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
        stdin: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin.data(using: .utf8)!) }
        try? input.fileHandleForWriting.close()
        // Read before waiting: a child filling a pipe would otherwise block forever.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self),
            killedBySignal: process.terminationReason == .uncaughtSignal)
    }
}
