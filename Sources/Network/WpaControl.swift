import CSupport
import Runtime

/// A client of wpa_supplicant's control interface: a datagram Unix socket bound to our own
/// path, connected to `<ctrl_interface>/<ifname>`, text commands out, replies and (after
/// ATTACH) events in. Non-blocking in the run loop. Replies come back in the order the
/// commands went, so each answers the oldest command still waiting; at most 8 wait (a
/// ninth is refused: wpa_supplicant stopped answering) and each waits at most 5 s.
final class WpaControl {
    /// A reply (command, text) or an event (text with its `<N>` prefix).
    enum Message {
        case reply(command: String, text: String)
        case event(String)
    }

    let serverPath: String
    let localPath: String
    private let loop: EventLoop
    private let received: (Message) -> Void
    private var socket: OwnedDescriptor?
    private var watch: IOWatch?
    private var waiting: [(command: String, sent: Int64)] = []
    static let maximumWaiting = 8
    /// Datagrams that could not be matched or read (no command waiting, truncated).
    private(set) var dropped = 0
    /// Commands refused because too many were waiting, or that timed out.
    private(set) var unanswered = 0

    init(serverPath: String, localPath: String, loop: EventLoop, received: @escaping (Message) -> Void) {
        self.serverPath = serverPath
        self.localPath = localPath
        self.loop = loop
        self.received = received
    }

    deinit { close() }

    var isOpen: Bool { socket != nil }

    /// Binds our end and connects to wpa_supplicant's; fails when it is not running.
    func open() throws(NetworkError) {
        close()
        guard let server = SystemCall.unixAddress(serverPath), let local = SystemCall.unixAddress(localPath) else {
            throw .system("control socket path too long: " + serverPath)
        }
        do throws(RuntimeError) {
            let socket = try SystemCall.socket(domain: AF_UNIX, type: Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                                               protocol: 0, name: "socket(AF_UNIX, SOCK_DGRAM)")
            // A stale path from an earlier run would make bind fail.
            try? FileSystem.remove(localPath)
            try SystemCall.bind(socket.fd, to: local, name: "bind(" + localPath + ")")
            var target = server
            let result = withUnsafePointer(to: &target) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket.fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if result != 0 {
                let error = Errno.current
                try? FileSystem.remove(localPath)
                try SystemCall.fail("connect(" + serverPath + ")", error)
            }
            self.socket = socket
            watch = loop.watch(socket.fd) { [self] _ in self.receive() }
        } catch {
            throw .system(error.description)
        }
    }

    func close() {
        watch?.cancel()
        watch = nil
        if socket != nil { try? FileSystem.remove(localPath) }
        socket = nil
        waiting.removeAll()
    }

    /// Sends `command`; false when it could not go (closed, too many waiting, send failed).
    @discardableResult
    func send(_ command: String) -> Bool {
        guard let socket else { return false }
        expireWaiting()
        guard waiting.count < Self.maximumWaiting else { unanswered += 1; return false }
        let bytes = Array(command.utf8)
        let sent = bytes.withUnsafeBytes { CSupport.send(socket.fd.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { return false }
        waiting.append((command, loop.clock.now().nanoseconds / 1000))
        return true
    }

    /// Commands that waited more than 5 s are given up, so a lost reply cannot pair every
    /// later reply with the wrong command.
    private func expireWaiting() {
        let now = loop.clock.now().nanoseconds / 1000
        while let first = waiting.first, now - first.sent > 5_000_000 {
            waiting.removeFirst()
            unanswered += 1
        }
    }

    private func receive() {
        guard let socket else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket.fd.rawValue, $0.baseAddress, $0.count, Int32(MSG_TRUNC)) }
            if count < 0 { return }  // EAGAIN: all read; anything else: the next send says so
            guard count <= buffer.count else { dropped += 1; continue }
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            if WpaMessage.isEvent(text) {
                received(.event(text))
            } else if waiting.isEmpty {
                dropped += 1
            } else {
                let command = waiting.removeFirst().command
                received(.reply(command: command, text: text))
            }
            if self.socket == nil { return }
        }
    }
}
