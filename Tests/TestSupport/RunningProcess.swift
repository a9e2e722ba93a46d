import Foundation

/// A child process left running while a test does something to it (signals it, kills it at
/// a random moment). Its output goes to /dev/null unless a file is given, so a chatty child
/// can never block on a full pipe; a test may instead read stdout line by line (for a child
/// that announces when it is ready).
public final class RunningProcess {
    private let process = Process()
    private let output: Pipe?
    private var pending: [UInt8] = []

    /// Starts `executable` with `arguments`. `outputFile` (if any) receives stderr, and
    /// stdout too unless `readingOutput` makes stdout a pipe for `readLine()`; such a child
    /// should print little, or it blocks on a full pipe.
    public init(
        _ executable: URL, _ arguments: [String], outputFile: URL? = nil, readingOutput: Bool = false
    ) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        var sink = FileHandle.nullDevice
        if let outputFile {
            _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
            sink = try FileHandle(forWritingTo: outputFile)
        }
        process.standardError = sink
        output = readingOutput ? Pipe() : nil
        process.standardOutput = output ?? sink
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// The next line the child printed (without the newline), or nil once its stdout closed.
    public func readLine() -> String? {
        guard let output else { preconditionFailure("started without readingOutput") }
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { return nil }
            pending.append(contentsOf: data)
        }
    }

    /// Sends `signal` (SIGKILL unless told otherwise).
    public func signal(_ signal: Int32 = SIGKILL) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end: its exit status or signal number, and which it was.
    @discardableResult
    public func wait() -> (status: Int32, killedBySignal: Bool) {
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
