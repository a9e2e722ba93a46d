import Foundation

/// A real pseudo-terminal pair for serial-port tests: the test plays the device on the master
/// side, the code under test opens the slave by its path like any serial port.
final class PseudoTerminal {
    let master: Int32
    /// Held open so the master never reads EIO between the port's opens and closes.
    private var slave: Int32
    let slavePath: String
    private var masterOpen = true

    init() {
        var master: Int32 = -1, slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        precondition(openpty(&master, &slave, &name, nil, nil) == 0, "openpty failed")
        // Raw on both sides: no echo, no line editing, no CR/LF translation of binary data.
        var settings = termios()
        tcgetattr(slave, &settings)
        cfmakeraw(&settings)
        tcsetattr(slave, TCSANOW, &settings)
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        self.master = master
        self.slave = slave
        slavePath = String(cString: name)
    }

    deinit {
        closeMaster()
        if slave >= 0 { close(slave) }
    }

    /// Writes `bytes` as the device would send them.
    func send(_ bytes: [UInt8]) {
        let written = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        precondition(written == bytes.count, "short write to the pty master")
    }

    /// What the port wrote so far, waiting until `count` bytes arrived or `timeout` passed.
    func receive(count: Int, timeout: TimeInterval = 2) -> [UInt8] {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while received.count < count && Date() < deadline {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(master, &chunk, chunk.count)
            if n > 0 { received += chunk[0..<n] } else { usleep(2_000) }
        }
        return received
    }

    /// Unplugs the "device": the slave side sees a hang-up.
    func closeMaster() {
        guard masterOpen else { return }
        masterOpen = false
        close(master)
    }
}
