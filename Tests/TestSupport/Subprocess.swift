import Foundation

/// A child process started with posix_spawn and a CLEAN signal mask.
///
/// Foundation's `Process` starts children from a libdispatch worker thread, whose blocked
/// signal mask the child inherits: such a child never sees SIGTERM, so a broker or a gateway
/// under test could not be stopped gracefully. Here the child gets an empty mask and default
/// dispositions for the signals tests send.
public final class Subprocess {
    public enum Output {
        case null
        case file(String)
        /// A pipe the test reads with `readLine()`; the child must print little.
        case pipe
    }

    public let pid: pid_t
    private var readFD: Int32 = -1
    private var pending: [UInt8] = []
    private var exitStatus: (status: Int32, killedBySignal: Bool)?

    /// Starts `path` with `arguments`; `environment` entries are added to ours.
    public init(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                stdout: Output = .null, stderr: Output = .null) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        var pipeFDs: [Int32] = [-1, -1]
        func redirect(_ output: Output, to fd: Int32) {
            switch output {
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let file):
                posix_spawn_file_actions_addopen(&actions, fd, file, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .pipe:
                if pipeFDs[0] < 0 { _ = pipe(&pipeFDs) }
                posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], fd)
            }
        }
        redirect(stdout, to: 1)
        redirect(stderr, to: 2)
        if pipeFDs[0] >= 0 {
            posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
            posix_spawn_file_actions_addclose(&actions, pipeFDs[1])
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        if pipeFDs[1] >= 0 { close(pipeFDs[1]) }
        guard result == 0 else {
            if pipeFDs[0] >= 0 { close(pipeFDs[0]) }
            throw SubprocessError.spawnFailed(path: path, errno: result)
        }
        pid = child
        readFD = pipeFDs[0]
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = wait()
        }
        if readFD >= 0 { close(readFD) }
    }

    /// Sends `signal` (SIGKILL unless told otherwise).
    public func signal(_ signal: Int32 = SIGKILL) {
        if exitStatus == nil { kill(pid, signal) }
    }

    /// Whether the child is still running (reaps it if it ended).
    public var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { exitStatus = Subprocess.decode(status); return false }
        return result == 0
    }

    /// Waits for the child to end: its exit status or signal number, and which it was.
    @discardableResult
    public func wait() -> (status: Int32, killedBySignal: Bool) {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let decoded = Subprocess.decode(status)
        exitStatus = decoded
        return decoded
    }

    /// Waits up to `timeout` seconds; nil if the child is still running then.
    public func wait(timeout: TimeInterval) -> (status: Int32, killedBySignal: Bool)? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !isRunning { return exitStatus }
            usleep(10_000)
        }
        return isRunning ? nil : exitStatus
    }

    /// The next line the child printed on a `.pipe` stdout, or nil once it closed.
    public func readLine() -> String? {
        precondition(readFD >= 0, "stdout is not a pipe")
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(readFD, &chunk, chunk.count)
            if n <= 0 { return nil }
            pending.append(contentsOf: chunk[0..<n])
        }
    }

    private static func decode(_ status: Int32) -> (status: Int32, killedBySignal: Bool) {
        let signal = status & 0x7F
        if signal == 0 { return ((status >> 8) & 0xFF, false) }
        return (signal, true)
    }
}

public enum SubprocessError: Error, CustomStringConvertible {
    case spawnFailed(path: String, errno: Int32)
    public var description: String {
        switch self {
        case .spawnFailed(let path, let errno): return "cannot start \(path): \(String(cString: strerror(errno)))"
        }
    }
}
