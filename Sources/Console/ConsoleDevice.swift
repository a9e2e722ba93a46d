import CSupport
import Runtime
import SerialPort

/// Where a console reads and writes: a serial device opened through `SerialPort` (raw mode
/// at the configured baud, non-blocking, closed again on `close`), or descriptors it borrows
/// (standard input and output). Either way a terminal is in raw mode while the console runs,
/// so keys arrive one by one (no line discipline, no echo, Ctrl-C as a byte rather than
/// SIGINT), and a terminal we switched gets its previous settings back on `close`, so a
/// shell on the same tty is usable afterwards.
final class ConsoleDevice {
    /// What the console watches for input.
    let input: FileDescriptor
    /// What the console watches for room to write.
    let output: FileDescriptor
    /// A terminal (UART, pty, console) rather than a pipe or a file.
    let isTerminal: Bool
    /// Whether writes to `output` return EAGAIN rather than block.
    let outputIsNonBlocking: Bool
    /// The serial device, for a console on one; nil for borrowed descriptors.
    private let port: SerialPort?
    /// Raw mode on a borrowed terminal; `SerialPort` restores its own.
    private let rawMode: RawTerminalMode?
    private var isOpen = true

    private init(port: SerialPort) {
        self.port = port
        rawMode = nil
        input = port.fileDescriptor
        output = port.fileDescriptor
        // Either driver refuses what is not a terminal and leaves the descriptor non-blocking.
        isTerminal = true
        outputIsNonBlocking = true
    }

    private init(input: FileDescriptor, output: FileDescriptor, rawMode: RawTerminalMode?) {
        port = nil
        self.rawMode = rawMode
        self.input = input
        self.output = output
        isTerminal = rawMode != nil
        outputIsNonBlocking = sy_fcntl_getfl(output.rawValue) & O_NONBLOCK != 0
    }

    deinit { close() }

    /// Opens the serial device at `path` and sets it to `baud`, 8N1, no flow control. Only
    /// the standard rates are accepted: an unusual one is refused before the device is touched.
    static func open(path: String, baud: Int) throws(ConsoleError) -> ConsoleDevice {
        guard SerialBaudRate.isStandard(baud) else { throw .unsupportedBaud(baud) }
        do throws(SerialPortError) {
            let port = try SerialPort(path: path)
            // On failure the port closes (and restores the terminal) as it goes away.
            try port.configure(baud: baud)
            return ConsoleDevice(port: port)
        } catch { throw .serialDevice(error) }
    }

    /// Uses descriptors someone else owns; a terminal on `input` gets raw mode at its
    /// current speed. They stay blocking: the file description is shared with standard
    /// error and the parent shell, which must not find it non-blocking afterwards.
    static func borrowing(input: FileDescriptor, output: FileDescriptor) throws(ConsoleError) -> ConsoleDevice {
        guard isatty(input.rawValue) == 1 else { return ConsoleDevice(input: input, output: output, rawMode: nil) }
        do throws(RuntimeError) {
            return ConsoleDevice(input: input, output: output, rawMode: try RawTerminalMode(input))
        } catch { throw .device(path: "standard input", error) }
    }

    /// Reads what has arrived: `.wouldBlock` when nothing has, `.done(0)` at the end of a
    /// borrowed input. A serial device that went away throws `.disconnected` instead.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ConsoleError) -> IOResult<Int> {
        // Through the port, not its descriptor: a libserialport port reads 0 bytes when
        // nothing has arrived, and only the port knows which driver it has.
        if let port {
            do throws(SerialPortError) { return try port.read(into: buffer) } catch { throw .serialDevice(error) }
        }
        do throws(RuntimeError) { return try input.read(into: buffer) } catch {
            throw .device(path: "standard input", error)
        }
    }

    /// Writes what the output takes now; `.wouldBlock` when it takes nothing.
    func write(_ buffer: UnsafeRawBufferPointer) throws(ConsoleError) -> IOResult<Int> {
        if let port {
            do throws(SerialPortError) {
                let count = try port.write(buffer)
                return count == 0 && buffer.count > 0 ? .wouldBlock : .done(count)
            } catch { throw .serialDevice(error) }
        }
        do throws(RuntimeError) { return try output.write(buffer) } catch {
            throw .device(path: "standard output", error)
        }
    }

    /// Restores the terminal settings and closes what we opened; borrowed descriptors stay
    /// open. Restoring fails quietly: the device may be gone, and there is nothing else to
    /// do on the way out.
    func close() {
        guard isOpen else { return }
        isOpen = false
        rawMode?.restore()
        port?.close()
    }
}
