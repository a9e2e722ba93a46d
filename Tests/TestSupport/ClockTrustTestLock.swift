import Foundation

/// `ClockTrust` (Runtime) is process-wide and every test target runs in one process, in
/// parallel: a test that closes it (to show TLS waiting) holds this lock, so two such tests
/// never undo each other's state. Keep the closed window short: other TLS tests only wait.
public enum ClockTrustTestLock {
    private static let lock = NSLock()

    /// Runs `body` holding the lock.
    public static func hold<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
