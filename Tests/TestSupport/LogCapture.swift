import Foundation
import Runtime

/// Captures the log lines written ON THE CALLING THREAD while `body` runs.
///
/// `LogSettings` is process-wide and Swift Testing runs suites in parallel: swapping the
/// observer per test would lose or steal other tests' lines. Instead one fan-out observer is
/// installed for good, and each capture keeps only lines logged by its own thread, where the
/// code under test runs (a test drives its run loop on its own thread too).
public enum LogCapture {
    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var captures: [(thread: pthread_t, box: Box)] = []
        var installed = false
        var active = 0
        var savedLevel: LogLevel = .info
        var savedOutput: FileDescriptor = .standardError
    }

    private final class Box { var lines: [String] = [] }

    private static let registry = Registry()
    private static let devNull = FileHandle(forWritingAtPath: "/dev/null")!

    /// Runs `body` at debug level with log output silenced; returns its result and the lines.
    public static func lines<T>(_ body: () throws -> T) rethrows -> (result: T, lines: [String]) {
        let box = Box()
        let me = pthread_self()
        registry.lock.lock()
        if !registry.installed {
            registry.installed = true
            let previous = LogSettings.observer
            LogSettings.observer = { line in
                previous?(line)
                let thread = pthread_self()
                registry.lock.lock()
                for capture in registry.captures where pthread_equal(capture.thread, thread) != 0 {
                    capture.box.lines.append(line)
                }
                registry.lock.unlock()
            }
        }
        if registry.active == 0 {
            registry.savedLevel = LogSettings.level
            registry.savedOutput = LogSettings.output
            LogSettings.level = .debug
            LogSettings.output = FileDescriptor(devNull.fileDescriptor)
        }
        registry.active += 1
        registry.captures.append((me, box))
        registry.lock.unlock()
        defer {
            registry.lock.lock()
            registry.captures.removeAll { $0.box === box }
            registry.active -= 1
            if registry.active == 0 {
                LogSettings.level = registry.savedLevel
                LogSettings.output = registry.savedOutput
            }
            registry.lock.unlock()
        }
        let result = try body()
        registry.lock.lock()
        defer { registry.lock.unlock() }
        return (result, box.lines)
    }

    /// The lines at WARNING or above.
    public static func alarming(_ lines: [String]) -> [String] {
        lines.filter { $0.contains(" WARNING ") || $0.contains(" ERROR ") || $0.contains(" CRITICAL ") }
    }
}
