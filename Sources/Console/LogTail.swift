import Runtime
import Synchronization

/// The last lines the process logged, for `log tail`: the image has no shell on the UART
/// and keeps its log file on /data, so the console and MQTT are the way to read it.
///
/// Every thread logs, so the ring sits behind a small spin lock (a line is appended in well
/// under a microsecond; Embedded Swift has no `Mutex` on every target we build). Bounded:
/// the oldest line goes when the ring is full, and lines are cut at `maximumLineBytes`.
public final class LogTail: @unchecked Sendable {
    /// The process's tail, once `install` ran (`switchyard run` does, before any thread).
    nonisolated(unsafe) public private(set) static var shared: LogTail?

    public let capacity: Int
    static let maximumLineBytes = 512
    private let locked = Atomic<Bool>(false)
    private var lines: [String] = []
    private var next = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "a log tail keeps at least one line")
        self.capacity = capacity
        lines.reserveCapacity(capacity)
    }

    /// Makes a tail of `capacity` lines the log's observer. Call once, before other threads
    /// start (the observer is not atomic).
    public static func install(capacity: Int = 200) {
        let tail = LogTail(capacity: capacity)
        shared = tail
        LogSettings.observer = { line in tail.append(line) }
    }

    /// Adds one line, dropping the oldest when full.
    public func append(_ line: String) {
        var text = line
        if text.utf8.count > LogTail.maximumLineBytes {
            text = String(decoding: Array(text.utf8.prefix(LogTail.maximumLineBytes)), as: UTF8.self) + "..."
        }
        lock()
        if lines.count < capacity {
            lines.append(text)
        } else {
            lines[next] = text
        }
        next = (next + 1) % capacity
        unlock()
    }

    /// The last `count` lines, oldest first.
    public func last(_ count: Int) -> [String] {
        lock()
        defer { unlock() }
        let wanted = max(0, min(count, lines.count))
        guard lines.count == capacity else { return Array(lines.suffix(wanted)) }
        var result: [String] = []
        result.reserveCapacity(wanted)
        for offset in (capacity - wanted)..<capacity { result.append(lines[(next + offset) % capacity]) }
        return result
    }

    private func lock() {
        while !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {}
    }

    private func unlock() { locked.store(false, ordering: .releasing) }
}
