import Foundation

/// A real `mosquitto` broker on a free loopback port, for as long as this object lives.
/// Stop and start it again (same port) to simulate an outage.
public final class MosquittoBroker {
    public private(set) var port: Int
    public let directory: TemporaryDirectory
    private var process: Subprocess?
    private let extraConfig: String

    /// Starts a broker; `extraConfig` is appended to its configuration (TLS listeners, ...).
    public init(extraConfig: String = "", port: Int? = nil) throws {
        directory = TemporaryDirectory(prefix: "mosquitto")
        // Started as root, mosquitto switches to its own user; it must still reach its files.
        chmod(directory.path, 0o777)
        self.port = port ?? FreePort.next()
        self.extraConfig = extraConfig
        // A port free a moment ago may be taken by another test process before mosquitto
        // binds it: pick another, unless the caller asked for this one.
        var attempts = 0
        while true {
            do {
                try start()
                return
            } catch BrokerError.portTaken where port == nil && attempts < 5 {
                attempts += 1
                self.port = FreePort.next()
            }
        }
    }

    deinit { stop() }

    public var isRunning: Bool { process?.isRunning ?? false }

    /// The broker's process id while it runs (a test peer sends it SIGHUP to reload files).
    public var pid: pid_t? { process?.pid }

    /// Starts (or restarts) the broker on the same port and waits until it accepts clients.
    public func start() throws {
        guard !isRunning else { return }
        let config = directory.file("mosquitto.conf")
        var text = "user root\nlistener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\n"
        text += "log_dest file \(directory.file("mosquitto.log"))\nlog_type all\n"
        text += "max_queued_messages 100000\n"
        text += extraConfig
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let logStart = log.utf8.count
        process = try Subprocess("/usr/sbin/mosquitto", ["-c", config], stderr: .file(directory.file("stderr.log")))
        // Listening on the port is not enough: another process may hold it. Ours says
        // "running" in its log once its listeners are open.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let fresh = String(decoding: log.utf8.dropFirst(logStart), as: UTF8.self)
            if fresh.contains("Address already in use") {
                stop()
                throw BrokerError.portTaken
            }
            if fresh.contains(" running"), isRunning, FreePort.waitUntilListening(port, timeout: 0.1) { return }
            if !isRunning { break }
            usleep(20_000)
        }
        stop()
        throw BrokerError.didNotStart(log: log)
    }

    /// Stops the broker (SIGTERM) and waits for it to exit.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.signal(SIGTERM)
        if process.wait(timeout: 5) == nil { process.signal(SIGKILL); process.wait() }
        self.process = nil
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the broker: its sockets stay open but unread,
    /// so a client's send path backs up.
    public func freeze(_ frozen: Bool) {
        process?.signal(frozen ? SIGSTOP : SIGCONT)
    }

    /// The broker's log so far (for failure messages).
    public var log: String {
        (try? String(contentsOfFile: directory.file("mosquitto.log"), encoding: .utf8)) ?? ""
    }

    public enum BrokerError: Error, CustomStringConvertible {
        case didNotStart(log: String)
        /// Another process took the port first.
        case portTaken
        public var description: String {
            switch self {
            case .didNotStart(let log): return "mosquitto did not start:\n\(log)"
            case .portTaken: return "mosquitto could not bind its port: another process holds it"
            }
        }
    }
}

/// Loopback port helpers.
public enum FreePort {
    /// A port that was free a moment ago (the kernel picks it; we close it right away).
    public static func next() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A blocking TCP connection to 127.0.0.1:`port`, or -1 when nothing accepts there.
    /// `receiveBuffer` (SO_RCVBUF) is set before connecting, where the kernel honours it.
    public static func connect(_ port: Int, receiveBuffer: Int32? = nil) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return fd }
        close(fd)
        return -1
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`.
    public static func waitUntilListening(_ port: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let fd = connect(port)
            if fd >= 0 {
                close(fd)
                return true
            }
            usleep(20_000)
        }
        return false
    }
}
