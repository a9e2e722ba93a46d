import Foundation

/// A pseudo-terminal to put on a gateway's `console.device`: the tests type on the master
/// side and read the screen until an expected text shows, with a deadline.
public final class ConsolePty {
    public let path: String
    private let master: Int32
    private let slave: Int32

    public init() {
        var master: Int32 = -1, slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        precondition(openpty(&master, &slave, &name, nil, nil) == 0, "openpty failed")
        self.master = master
        self.slave = slave
        path = String(cString: name)
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(master)
        close(slave)
    }

    /// Types `line` and Enter.
    public func type(_ line: String) {
        let bytes = Array((line + "\r").utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Reads what the console prints until `needle` shows or `timeout` passes; returns it all.
    public func screen(until needle: String, timeout: TimeInterval = 10) -> String {
        var collected = ""
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !collected.contains(needle) {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(master, &buffer, buffer.count)
            if count > 0 { collected += String(decoding: buffer[0..<count], as: UTF8.self) } else { usleep(20_000) }
        }
        return collected
    }

    /// Types `line` until the console answers with `needle` (a console just opened may miss
    /// the first keystrokes); returns the last screen.
    public func ask(_ line: String, expecting needle: String, timeout: TimeInterval = 10) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            type(line)
            last = screen(until: needle, timeout: 1)
            if last.contains(needle) { return last }
        }
        return last
    }
}
