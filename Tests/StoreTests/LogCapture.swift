import Foundation
import Runtime

/// Lines the log observer collected; the observer may be called from any thread.
final class CapturedLines: @unchecked Sendable {
    let lock = NSLock()
    var lines: [String] = []
}

/// Captures every log line written while `body` runs (at debug level, output silenced).
/// LogSettings is process-wide, which is why every Store suite runs serialized.
enum LogCapture {
    static func lines<T>(_ body: () throws -> T) rethrows -> (result: T, lines: [String]) {
        let box = CapturedLines()
        let saved = (LogSettings.observer, LogSettings.level, LogSettings.output)
        let devNull = FileHandle(forWritingAtPath: "/dev/null")!
        LogSettings.observer = { line in box.lock.lock(); box.lines.append(line); box.lock.unlock() }
        LogSettings.level = .debug
        LogSettings.output = FileDescriptor(devNull.fileDescriptor)
        defer {
            (LogSettings.observer, LogSettings.level, LogSettings.output) = saved
            try? devNull.close()
        }
        let result = try body()
        box.lock.lock()
        defer { box.lock.unlock() }
        return (result, box.lines)
    }

    /// The lines at WARNING or above.
    static func alarming(_ lines: [String]) -> [String] {
        lines.filter { $0.contains(" WARNING ") || $0.contains(" ERROR ") || $0.contains(" CRITICAL ") }
    }
}
