import Foundation
import Runtime
import SerialPort
import TestSupport
import Testing

@Suite("Serial port on a real pseudo-terminal")
struct SerialPortPtyTests {
    /// Polls `port` until `count` bytes arrived or `timeout` passed.
    private func readBytes(_ port: SerialPort, count: Int, timeout: TimeInterval = 2) throws -> [UInt8] {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while received.count < count && Date() < deadline {
            let chunk = try port.readAvailable(max: 64)
            if chunk.isEmpty { usleep(2_000) } else { received += chunk }
        }
        return received
    }

    @Test("opens a pty slave by path, configures 115200 8N1 and exchanges bytes both ways")
    func exchangesBytesBothWays() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        try port.configure(baud: 115_200)
        #expect(port.devicePath == pty.slavePath)

        let request: [UInt8] = [0x00, 0x0E, 0xFF, 0x0A, 0x0D]
        #expect(try port.write(request) == request.count)
        #expect(pty.receive(count: request.count) == request)

        let reply: [UInt8] = Array(0...255)
        pty.send(reply)
        #expect(try readBytes(port, count: reply.count) == reply, "binary data arrives unchanged")
    }

    @Test("the line settings reach the terminal: speed and stop bits")
    func configureSetsTermios() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        // The Linux pty driver forces CS8 without parity whatever is asked, so only speed and
        // stop bits are observable here.
        try port.configure(baud: 9_600, stopBits: 2)
        var settings = termios()
        #expect(tcgetattr(port.fileDescriptor.rawValue, &settings) == 0)
        #expect(cfgetospeed(&settings) == speed_t(B9600))
        #expect(cfgetispeed(&settings) == speed_t(B9600))
        #expect(settings.c_cflag & tcflag_t(CSTOPB) != 0)

        try port.configure(baud: 115_200)
        #expect(tcgetattr(port.fileDescriptor.rawValue, &settings) == 0)
        #expect(cfgetospeed(&settings) == speed_t(B115200))
        #expect(settings.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        let unwanted = tcflag_t(PARENB) | tcflag_t(CSTOPB) | tcflag_t(CRTSCTS)
        #expect(settings.c_cflag & unwanted == 0)
        let lineEditing = tcflag_t(ICANON) | tcflag_t(ECHO)
        #expect(settings.c_lflag & lineEditing == 0, "raw mode: no line editing, no echo")
    }

    @Test("close puts back the terminal settings found at open")
    func closeRestoresTerminal() throws {
        let pty = PseudoTerminal()
        // A second descriptor on the same tty to look at its settings from outside the port.
        let tty = open(pty.slavePath, O_RDWR | O_NOCTTY | O_NONBLOCK)
        #expect(tty >= 0)
        defer { close(tty) }
        // Start from a cooked terminal at 38400, as a shell or getty would leave it.
        var cooked = termios()
        #expect(tcgetattr(tty, &cooked) == 0)
        cooked.c_lflag |= tcflag_t(ICANON | ECHO | ISIG)
        cooked.c_iflag |= tcflag_t(ICRNL)
        cooked.c_oflag |= tcflag_t(OPOST | ONLCR)
        cfsetispeed(&cooked, speed_t(B38400))
        cfsetospeed(&cooked, speed_t(B38400))
        #expect(tcsetattr(tty, TCSANOW, &cooked) == 0)
        #expect(tcgetattr(tty, &cooked) == 0)

        let port = try SerialPort(path: pty.slavePath)
        try port.configure(baud: 115_200)
        var running = termios()
        #expect(tcgetattr(tty, &running) == 0)
        #expect(running.c_lflag & tcflag_t(ICANON | ECHO | ISIG) == 0, "raw while open")
        #expect(cfgetospeed(&running) == speed_t(B115200))

        port.close()
        var after = termios()
        #expect(tcgetattr(tty, &after) == 0)
        #expect(after.c_lflag == cooked.c_lflag)
        #expect(after.c_iflag == cooked.c_iflag)
        #expect(after.c_oflag == cooked.c_oflag)
        #expect(cfgetospeed(&after) == speed_t(B38400))
    }

    @Test("every standard baud rate can be set, and nothing else is called standard")
    func standardRatesConfigure() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        for rate in SerialBaudRate.standard {
            try port.configure(baud: rate)
        }
        // The same span the console.baud setting allows.
        #expect(SerialBaudRate.standard.first == 1_200)
        #expect(SerialBaudRate.standard.last == 4_000_000)
        #expect(SerialBaudRate.isStandard(115_200))
        #expect(!SerialBaudRate.isStandard(12_345))
        #expect(SerialBaudRate.standardList.hasPrefix("1200, 2400, 4800, 9600,"))
    }

    @Test("impossible frame formats are refused before touching the terminal")
    func refusesImpossibleFormats() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        #expect(throws: SerialPortError.configureFailed(path: pty.slavePath, setting: "data bits 9", reason: "must be 5 to 8")) {
            try port.configure(baud: 115_200, dataBits: 9)
        }
        #expect(throws: SerialPortError.configureFailed(path: pty.slavePath, setting: "stop bits 3", reason: "must be 1 or 2")) {
            try port.configure(baud: 115_200, stopBits: 3)
        }
    }

    @Test("a baud rate the terminal cannot do is refused with the rate in the message")
    func refusesNonStandardBaud() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        #expect {
            try port.configure(baud: 12_345)
        } throws: { error in
            guard case .configureFailed(let path, let setting, _) = error as? SerialPortError else { return false }
            return path == pty.slavePath && setting == "baud 12345"
        }
    }

    @Test("reading with nothing there would block instead of waiting; bytesWaiting and flushInput agree")
    func wouldBlockWhenIdle() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        #expect(fcntl(port.fileDescriptor.rawValue, F_GETFL) & O_NONBLOCK != 0, "descriptor is non-blocking")
        var buffer = [UInt8](repeating: 0, count: 16)
        let started = Date()
        let outcome = try buffer.withUnsafeMutableBytes { try port.read(into: $0) }
        #expect(outcome == .wouldBlock)
        #expect(Date().timeIntervalSince(started) < 0.5)
        #expect(try port.readAvailable().isEmpty)
        #expect(try port.bytesWaiting == 0)

        pty.send([1, 2, 3, 4, 5, 6, 7])
        let deadline = Date().addingTimeInterval(2)
        while try port.bytesWaiting < 7 && Date() < deadline { usleep(2_000) }
        #expect(try port.bytesWaiting == 7)
        try port.flushInput()
        #expect(try port.bytesWaiting == 0)
        #expect(try port.readAvailable().isEmpty, "flushed bytes are gone")
    }

    @Test("the run loop sees replies arrive on the port's descriptor")
    func runLoopWatchesPort() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        let loop = try EventLoop()
        var received: [UInt8] = []
        let watch = loop.watch(port.fileDescriptor) { _ in
            received += (try? port.readAvailable()) ?? []
        }
        defer { watch.cancel() }
        loop.run(timeout: 0.1) { false }
        #expect(received.isEmpty)
        pty.send(Array("BENCHLAB".utf8))
        #expect(loop.run(timeout: 2) { received.count == 8 })
        #expect(received == Array("BENCHLAB".utf8))
    }

    @Test("DTR and RTS on a pty are skipped, not errors")
    func modemLinesToleratedOnPty() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        #expect(try port.setDTR(true) == false)
        #expect(try port.setRTS(true) == false)
        #expect(try port.setRTS(false) == false)
        #expect(try port.write([0x42]) == 1, "the port still works afterwards")
        #expect(pty.receive(count: 1) == [0x42])
    }

    @Test("an unplugged device (pty master closed) reports disconnected, and poll says hang-up")
    func unplugIsDisconnected() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        let loop = try EventLoop()
        var events: IOEvents = []
        let watch = loop.watch(port.fileDescriptor) { events.formUnion($0) }
        defer { watch.cancel() }
        pty.closeMaster()
        #expect(loop.run(timeout: 2) { events.contains(.hangup) })
        #expect(throws: SerialPortError.disconnected(path: pty.slavePath)) { _ = try port.readAvailable() }
    }

    @Test("a symbolic link (like /dev/serial/by-id) opens the device it points to")
    func followsSymlinks() throws {
        let pty = PseudoTerminal()
        let directory = TemporaryDirectory(prefix: "serial-link")
        let link = directory.file("usb-STMicroelectronics_BENCHLAB-if00")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: pty.slavePath)
        let port = try SerialPort(path: link)
        #expect(port.path == link)
        #expect(port.devicePath == pty.slavePath)
        pty.send([7])
        #expect(try readBytes(port, count: 1) == [7])
    }

    @Test("after close() every call fails with a clear message instead of touching a stale descriptor")
    func closedPortFails() throws {
        let pty = PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        port.close()
        port.close()
        #expect {
            _ = try port.write([1])
        } throws: { error in
            (error as? SerialPortError)?.description.contains("port is closed") == true
        }
    }
}
