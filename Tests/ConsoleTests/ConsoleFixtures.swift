import Console
import Contracts
import Foundation
import JSON
import Runtime
import Store
import TestSupport

/// A key declared safe to change over MQTT, as a service's polling interval is: the gateway's
/// own keys are all closed to MQTT, so the Console tests bring one of their own.
enum ConsoleTestKeys {
    static let pollInterval = ConfigKey<Interval>.duration(
        "test.poll_s", seconds: 1...3600, default: 10, help: "Seconds between readings of a test sensor.").remoteSafe()

    /// The gateway's own keys and `pollInterval`.
    static var schema: ConfigSchema {
        var schema = ConfigSchema.standard
        schema.register([pollInterval.any])
        return schema
    }
}

/// The Console tests' shared setup: a real config store in a temp dir (no environment
/// unless a test gives one), and the registry with the commands this module provides.
final class ConsoleFixture {
    let directory = TemporaryDirectory(prefix: "console-test")
    let store: ConfigStore
    let registry = CommandRegistry()
    let loop: EventLoop

    init(environment: [String: String] = [:]) throws {
        store = ConfigStore(schema: ConsoleTestKeys.schema, dataDirectory: directory.path, environment: { environment[$0] })
        ConfigCommands.register(in: registry, store: store)
        HelpCommand.register(in: registry)
        // A command with a large answer, for output limits.
        // Both test commands only answer, so they are open to MQTT: the doors' tests use them there.
        registry.register(Command("blob", usage: "BYTES", help: "Answer with BYTES bytes of text.",
                                  remote: .always) { request in
            .text(String(repeating: "b", count: Int(request.argument(0) ?? "") ?? 1_000))
        })
        loop = try EventLoop()
        // A command that answers later, as BLE pairing does: `later MS [TEXT]` answers TEXT
        // (or "done") after MS milliseconds.
        registry.register(Command("later", usage: "MS [TEXT]", help: "Answer TEXT after MS milliseconds.",
                                  remote: .always, deferred: { [loop] request, answer in
            let delay = Int64(request.argument(0) ?? "") ?? 100
            let text = request.argument(1) ?? "done"
            loop.after(.milliseconds(delay)) { answer(.text(text)) }
        }))
    }
}

/// A pseudo-terminal pair: the console opens the slave by path; the test types on the
/// master and reads what the console wrote there (the screen).
final class PseudoTerminal {
    let master: Int32
    let slave: Int32
    let slavePath: String
    private(set) var screen: [UInt8] = []

    init() {
        var master: Int32 = -1, slave: Int32 = -1
        precondition(openpty(&master, &slave, nil, nil, nil) == 0, "openpty failed")
        self.master = master
        self.slave = slave
        slavePath = String(cString: ttyname(slave))
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(master)
        close(slave)
    }

    /// Sends keystrokes as the user would.
    func type(_ text: String) { type(Array(text.utf8)) }

    func type(_ bytes: [UInt8]) {
        let written = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        precondition(written == bytes.count, "short write to the pty master")
    }

    /// Collects whatever the console wrote so far.
    func collect() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(master, &chunk, chunk.count)
            if n <= 0 { return }
            screen.append(contentsOf: chunk[0..<n])
        }
    }

    var text: String { String(decoding: screen, as: UTF8.self) }

    /// Runs `loop` until the screen shows `needle` `count` times; returns whether it did.
    @discardableResult
    func waitFor(_ needle: String, count: Int = 1, loop: EventLoop, timeout: TimeInterval = 5) -> Bool {
        loop.run(timeout: timeout) {
            collect()
            return occurrences(of: needle) >= count
        }
    }

    func occurrences(of needle: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Forgets the screen so far, so later checks see only new output.
    func clear() { screen = [] }
}

/// A JSON-RPC client over a real TCP socket, driving the server's loop while it waits.
final class RPCTestClient {
    let fd: Int32
    private var received: [UInt8] = []
    private(set) var sawEndOfFile = false

    init(port: Int, receiveBuffer: Int32? = nil) {
        fd = FreePort.connect(port, receiveBuffer: receiveBuffer)
        precondition(fd >= 0, "connect failed")
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    /// Sends `bytes` entirely, running `loop` whenever the socket is full.
    func send(_ bytes: [UInt8], loop: EventLoop) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { offset += n } else { try? loop.runOnce(maxWait: .milliseconds(5)) }
        }
    }

    func send(_ text: String, loop: EventLoop) { send(Array(text.utf8), loop: loop) }

    /// Reads what has arrived without waiting.
    func collect() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n > 0 { received.append(contentsOf: chunk[0..<n]); continue }
            // A reset (the server closed with replies unread) ends the stream as EOF does.
            if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) { sawEndOfFile = true }
            return
        }
    }

    /// The next reply line, running `loop` until it arrives (nil after `timeout`).
    func nextLine(loop: EventLoop, timeout: TimeInterval = 5) -> String? {
        loop.run(timeout: timeout) {
            collect()
            return received.contains(UInt8(ascii: "\n"))
        }
        guard let newline = received.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = String(decoding: received[..<newline], as: UTF8.self)
        received.removeSubrange(...newline)
        return line
    }

    /// The next reply parsed as JSON.
    func nextReply(loop: EventLoop, timeout: TimeInterval = 5) throws -> JSONValue? {
        guard let line = nextLine(loop: loop, timeout: timeout) else { return nil }
        return try JSONValue.parse(line)
    }

    /// Sends one request line and returns the reply.
    func call(_ line: String, loop: EventLoop) throws -> JSONValue? {
        send(line + "\n", loop: loop)
        return try nextReply(loop: loop)
    }

    /// Whether the server closed the connection (running the loop until it does).
    func waitForEndOfFile(loop: EventLoop, timeout: TimeInterval = 5) -> Bool {
        loop.run(timeout: timeout) {
            collect()
            return sawEndOfFile
        }
    }
}
