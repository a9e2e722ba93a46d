import CSerialPort
import CSupport
import Runtime

/// An open serial port: the one owner of a device, closed in `deinit`. Every call is
/// non-blocking, so the run loop can `watch(fileDescriptor)` and read or write when ready.
///
/// USB adapters and UARTs go through libserialport. Pseudo-terminals (device simulators),
/// which libserialport 0.1.1 cannot open, get a plain termios driver behind the same API;
/// `driverName` says which one a port uses.
public final class SerialPort {
    /// The path the port was opened by (what users configured, e.g. a `/dev/serial/by-id` link).
    public let path: String
    /// `path` with symbolic links resolved: the device node itself.
    public let devicePath: String
    private let driver: SerialPortDriver
    private let log = Logger("serial")

    /// Opens `path` for reading and writing, non-blocking. Throws `.notFound` when nothing is
    /// there, `.openFailed` (with the OS's reason) when it cannot be opened.
    public init(path: String) throws(SerialPortError) {
        self.path = path
        devicePath = try SerialPort.resolve(path)
        var port: OpaquePointer? = nil
        let lookup = sp_get_port_by_name(devicePath, &port)
        if lookup == SP_OK, let port {
            if let failure = SerialPortLibrary.failure(of: sp_open(port, SP_MODE_READ_WRITE)) {
                sp_free_port(port)
                // ENOTTY: a tty without modem-control lines, which sp_open insists on reading.
                guard failure.errno == ENOTTY else {
                    if failure.errno == ENOENT { throw .notFound(path: path) }
                    throw .openFailed(path: path, reason: failure.message)
                }
                driver = try TerminalSerialDriver(path: devicePath)
            } else {
                driver = try LibrarySerialDriver(path: devicePath, openPort: port)
            }
        } else {
            // No /sys/class/tty entry (a pty): libserialport will not build a port for it.
            driver = try TerminalSerialDriver(path: devicePath)
        }
        log.debug("opened " + path + " through " + driver.name)
    }

    deinit { driver.close() }

    /// `libserialport` or `termios` (pseudo-terminals).
    public var driverName: String { driver.name }

    /// The open descriptor, non-blocking, for `EventLoop.watch`. Valid until `close()`.
    public var fileDescriptor: FileDescriptor { driver.fileDescriptor }

    /// Closes the port now rather than at `deinit`; later calls fail with "port is closed".
    /// A port on the termios driver gets the terminal settings it found at open back first.
    public func close() { driver.close() }

    /// Sets the line: speed and frame format (8N1 without flow control unless told otherwise).
    public func configure(
        baud: Int, dataBits: Int = 8, parity: SerialParity = .none, stopBits: Int = 1,
        flowControl: SerialFlowControl = .none
    ) throws(SerialPortError) {
        try driver.configure(baud: baud, dataBits: dataBits, parity: parity, stopBits: stopBits,
                             flowControl: flowControl)
    }

    /// Asserts or clears DTR. Returns false, with a debug log, on a port without modem lines
    /// (a pty): that is not an error, the device simply cannot see the line.
    @discardableResult
    public func setDTR(_ on: Bool) throws(SerialPortError) -> Bool { try setLine(.dtr, on) }

    /// Asserts or clears RTS (Benchlab firmware sends its welcome when RTS rises). Returns
    /// false, with a debug log, on a port without modem lines.
    @discardableResult
    public func setRTS(_ on: Bool) throws(SerialPortError) -> Bool { try setLine(.rts, on) }

    private func setLine(_ line: SerialModemLine, _ on: Bool) throws(SerialPortError) -> Bool {
        let applied = try driver.setModemLine(line, on: on)
        if !applied { log.debug(path + " has no " + line.name + " line (a pty?); not set") }
        return applied
    }

    /// Reads what has arrived, up to `buffer.count` bytes; `.wouldBlock` when nothing has.
    /// Throws `.disconnected` once the device is gone.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SerialPortError) -> IOResult<Int> {
        try driver.read(into: buffer)
    }

    /// Reads everything that has arrived, up to `max` bytes; empty when nothing has.
    public func readAvailable(max: Int = 4096) throws(SerialPortError) -> [UInt8] {
        precondition(max > 0, "readAvailable needs room for at least one byte")
        var bytes = [UInt8](repeating: 0, count: max)
        let outcome = bytes.withUnsafeMutableBytes { raw -> Result<IOResult<Int>, SerialPortError> in
            do throws(SerialPortError) { return .success(try driver.read(into: raw)) } catch { return .failure(error) }
        }
        switch try outcome.get() {
        case .wouldBlock:
            return []
        case .done(let count):
            bytes.removeLast(max - count)
            return bytes
        }
    }

    /// Writes what the port takes now without blocking; returns how many bytes it took
    /// (0 when its buffer is full).
    public func write(_ buffer: UnsafeRawBufferPointer) throws(SerialPortError) -> Int {
        try driver.write(buffer)
    }

    /// Writes what the port takes of `bytes` now; returns how many bytes it took.
    public func write(_ bytes: [UInt8]) throws(SerialPortError) -> Int {
        let outcome = bytes.withUnsafeBytes { raw -> Result<Int, SerialPortError> in
            do throws(SerialPortError) { return .success(try driver.write(raw)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// Discards bytes received but not read yet (stale replies before a new request).
    public func flushInput() throws(SerialPortError) { try driver.flushInput() }

    /// How many received bytes are waiting to be read.
    public var bytesWaiting: Int {
        get throws(SerialPortError) { try driver.bytesWaiting() }
    }

    /// The device node `path` leads to (symbolic links resolved), nil if nothing is there.
    public static func resolvedPath(_ path: String) -> String? {
        do throws(SerialPortError) { return try resolve(path) } catch { return nil }
    }

    /// `path` with symbolic links resolved, or the reason it cannot be opened.
    static func resolve(_ path: String) throws(SerialPortError) -> String {
        guard let resolved = realpath(path, nil) else {
            let errno = Errno.current
            if errno == .noSuchFile { throw .notFound(path: path) }
            throw .openFailed(path: path, reason: errno.description)
        }
        let text = String(cString: resolved)
        free(resolved)
        return text
    }
}
