import CSupport
import Runtime

/// A terminal opened with open(2) and set up with termios: the driver for ttys libserialport
/// 0.1.1 refuses (pseudo-terminals; see `SerialPortDriver`). Raw mode, like libserialport's
/// own open, and the same non-blocking contract; unlike libserialport, closing puts the
/// terminal's previous settings back.
final class TerminalSerialDriver: SerialPortDriver {
    let name = "termios"
    let path: String
    let fileDescriptor: FileDescriptor
    private let rawMode: RawTerminalMode
    private var isOpen = true

    /// Opens `path` (already resolved) read/write, non-blocking, without becoming our
    /// controlling terminal, and puts it in raw mode.
    init(path: String) throws(SerialPortError) {
        self.path = path
        let fd = sy_open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0)
        if fd < 0 {
            let errno = Errno.current
            if errno == .noSuchFile { throw .notFound(path: path) }
            throw .openFailed(path: path, reason: errno.description)
        }
        guard isatty(fd) == 1 else {
            let reason = Errno.current.description
            FileDescriptor(fd).close()
            throw .openFailed(path: path, reason: "not a terminal: " + reason)
        }
        fileDescriptor = FileDescriptor(fd)
        do throws(RuntimeError) { rawMode = try RawTerminalMode(fileDescriptor) } catch {
            FileDescriptor(fd).close()
            throw .openFailed(path: path, reason: "cannot set raw mode: " + error.description)
        }
    }

    deinit { close() }

    func close() {
        guard isOpen else { return }
        isOpen = false
        rawMode.restore()
        fileDescriptor.close()
    }

    private func requireOpen(_ operation: String) throws(SerialPortError) {
        if !isOpen { throw .ioFailed(path: path, operation: operation, reason: "port is closed") }
    }

    /// The error for a failed call: a vanished device becomes `.disconnected`.
    private func failure(_ operation: String, _ errno: Errno) -> SerialPortError {
        precondition(errno != .badDescriptor, operation + ": bad file descriptor (a Switchyard bug)")
        if SerialPortLibrary.isDisconnect(errno.rawValue) { return .disconnected(path: path) }
        return .ioFailed(path: path, operation: operation, reason: errno.description)
    }

    func configure(
        baud: Int, dataBits: Int, parity: SerialParity, stopBits: Int, flowControl: SerialFlowControl
    ) throws(SerialPortError) {
        try requireOpen("configure")
        guard let speed = SerialBaudRate.termiosSpeed(for: baud) else {
            throw .configureFailed(path: path, setting: "baud " + String(baud),
                                   reason: "not a standard rate (" + SerialBaudRate.standardList + ")")
        }
        let size: tcflag_t
        switch dataBits {
        case 5: size = tcflag_t(CS5)
        case 6: size = tcflag_t(CS6)
        case 7: size = tcflag_t(CS7)
        case 8: size = tcflag_t(CS8)
        default:
            throw .configureFailed(path: path, setting: "data bits " + String(dataBits), reason: "must be 5 to 8")
        }
        guard stopBits == 1 || stopBits == 2 else {
            throw .configureFailed(path: path, setting: "stop bits " + String(stopBits), reason: "must be 1 or 2")
        }
        var settings = termios()
        guard tcgetattr(fileDescriptor.rawValue, &settings) == 0 else { throw failure("tcgetattr", .current) }
        cfsetispeed(&settings, speed)
        cfsetospeed(&settings, speed)
        settings.c_cflag &= ~tcflag_t(CSIZE | PARENB | PARODD | CSTOPB)
        settings.c_cflag &= ~tcflag_t(CMSPAR)
        settings.c_cflag &= ~tcflag_t(CRTSCTS)
        settings.c_cflag |= size
        switch parity {
        case .none: break
        case .odd: settings.c_cflag |= tcflag_t(PARENB | PARODD)
        case .even: settings.c_cflag |= tcflag_t(PARENB)
        case .mark: settings.c_cflag |= tcflag_t(PARENB | PARODD) | tcflag_t(CMSPAR)
        case .space: settings.c_cflag |= tcflag_t(PARENB) | tcflag_t(CMSPAR)
        }
        if stopBits == 2 { settings.c_cflag |= tcflag_t(CSTOPB) }
        settings.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        switch flowControl {
        case .none, .dtrDsr: break // no DTR/DSR flow control in termios; none of our devices use it
        case .xonXoff: settings.c_iflag |= tcflag_t(IXON | IXOFF)
        case .rtsCts: settings.c_cflag |= tcflag_t(CRTSCTS)
        }
        guard tcsetattr(fileDescriptor.rawValue, TCSANOW, &settings) == 0 else {
            throw .configureFailed(path: path, setting: "line settings (baud " + String(baud) + ")",
                                   reason: Errno.current.description)
        }
    }

    func setModemLine(_ line: SerialModemLine, on: Bool) throws(SerialPortError) -> Bool {
        try requireOpen("set " + line.name)
        var bits: Int32 = line == .dtr ? Int32(TIOCM_DTR) : Int32(TIOCM_RTS)
        let request = on ? UInt(TIOCMBIS) : UInt(TIOCMBIC)
        if sy_ioctl_int(fileDescriptor.rawValue, request, &bits) == 0 { return true }
        let errno = Errno.current
        // A pty has no modem lines: the kernel answers ENOTTY (or EINVAL on some drivers).
        if errno.rawValue == ENOTTY || errno.rawValue == EINVAL { return false }
        throw failure("set " + line.name, errno)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SerialPortError) -> IOResult<Int> {
        try requireOpen("read")
        guard buffer.count > 0 else { return .done(0) }
        while true {
            let count = CSupport.read(fileDescriptor.rawValue, buffer.baseAddress, buffer.count)
            // A raw-mode tty only reads 0 bytes once it has been hung up (pty master closed).
            if count == 0 { throw .disconnected(path: path) }
            if count > 0 { return .done(count) }
            let errno = Errno.current
            if errno == .interrupted { continue }
            if errno == .wouldBlock { return .wouldBlock }
            throw failure("read", errno)
        }
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws(SerialPortError) -> Int {
        try requireOpen("write")
        guard buffer.count > 0 else { return 0 }
        while true {
            let count = CSupport.write(fileDescriptor.rawValue, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            let errno = Errno.current
            if errno == .interrupted { continue }
            if errno == .wouldBlock { return 0 }
            throw failure("write", errno)
        }
    }

    func flushInput() throws(SerialPortError) {
        try requireOpen("flush")
        if tcflush(fileDescriptor.rawValue, TCIFLUSH) != 0 { throw failure("flush", .current) }
    }

    func bytesWaiting() throws(SerialPortError) -> Int {
        try requireOpen("input query")
        var count: Int32 = 0
        if sy_ioctl_int(fileDescriptor.rawValue, UInt(FIONREAD), &count) != 0 { throw failure("input query", .current) }
        return Int(count)
    }
}
