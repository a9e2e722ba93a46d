import Foundation

/// A child process left running while a test does something to it (signals it, kills it at
/// a random moment). Its output goes to /dev/null unless a file is given, so a chatty child
/// can never block on a full pipe.
public final class RunningProcess {
    private let process = Process()

    /// Starts `executable` with `arguments`; `outputFile` (if any) receives stdout and stderr.
    public init(_ executable: URL, _ arguments: [String], outputFile: URL? = nil) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        if let outputFile {
            FileManager.default.createFile(atPath: outputFile.path, contents: nil)
            let handle = try FileHandle(forWritingTo: outputFile)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

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
