import CSupport
import Runtime

/// Where a console reads and writes: a serial device it opened itself (closed again on
/// `close`), or descriptors it borrows (standard input and output). A terminal is switched
/// to raw mode, so keys arrive one by one (no line discipline, no echo, Ctrl-C as a byte
/// rather than SIGINT), and its previous settings come back on `close`, so a shell on the
/// same tty is usable afterwards.
final class ConsoleDevice {
    let input: FileDescriptor
    let output: FileDescriptor
    /// A terminal (UART, pty, console) rather than a pipe or a file.
    let isTerminal: Bool
    /// Whether writes to `output` return EAGAIN rather than block.
    let outputIsNonBlocking: Bool
    private let owned: Bool
    private var saved = termios()
    private var isRaw = false
    private var isOpen = true

    private init(input: FileDescriptor, output: FileDescriptor, owned: Bool) {
        self.input = input
        self.output = output
        self.owned = owned
        isTerminal = isatty(input.rawValue) == 1
        outputIsNonBlocking = sy_fcntl_getfl(output.rawValue) & O_NONBLOCK != 0
    }

    deinit { close() }

    /// Opens the serial device at `path` non-blocking, without making it our controlling
    /// terminal; a terminal gets raw mode at `baud`.
    static func open(path: String, baud: Int) throws(ConsoleError) -> ConsoleDevice {
        guard let speed = BaudRate.speed(for: baud) else { throw .unsupportedBaud(baud) }
        let fd: FileDescriptor
        do throws(RuntimeError) {
            fd = try FileDescriptor.open(path, flags: O_RDWR | O_NOCTTY | O_NONBLOCK)
        } catch { throw .device(path: path, error) }
        let device = ConsoleDevice(input: fd, output: fd, owned: true)
        if device.isTerminal {
            do throws(RuntimeError) { try device.makeRaw(speed: speed) } catch {
                device.close()
                throw .device(path: path, error)
            }
        }
        return device
    }

    /// Uses descriptors someone else owns; a terminal on `input` gets raw mode at its
    /// current speed. They stay blocking: the file description is shared with standard
    /// error and the parent shell, which must not find it non-blocking afterwards.
    static func borrowing(input: FileDescriptor, output: FileDescriptor) throws(ConsoleError) -> ConsoleDevice {
        let device = ConsoleDevice(input: input, output: output, owned: false)
        if device.isTerminal {
            do throws(RuntimeError) { try device.makeRaw(speed: nil) } catch {
                throw .device(path: "standard input", error)
            }
        }
        return device
    }

    /// Restores the terminal settings and closes what we opened. Restoring fails quietly:
    /// the device may be gone, and there is nothing else to do on the way out.
    func close() {
        guard isOpen else { return }
        isOpen = false
        if isRaw { _ = tcsetattr(input.rawValue, TCSANOW, &saved) }
        if owned { input.close() }
    }

    private func makeRaw(speed: speed_t?) throws(RuntimeError) {
        _ = try SystemCall.retrying("tcgetattr") { tcgetattr(input.rawValue, &saved) }
        var raw = saved
        cfmakeraw(&raw)
        // A UART console has no modem lines: ignore them (CLOCAL) so a missing carrier never
        // blocks or hangs us up, and keep the receiver on (CREAD).
        raw.c_cflag |= tcflag_t(CLOCAL) | tcflag_t(CREAD)
        // One byte is enough for read() to return; no inter-byte timer.
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        if let speed {
            _ = try SystemCall.retrying("cfsetispeed") { cfsetispeed(&raw, speed) }
            _ = try SystemCall.retrying("cfsetospeed") { cfsetospeed(&raw, speed) }
        }
        _ = try SystemCall.retrying("tcsetattr") { tcsetattr(input.rawValue, TCSANOW, &raw) }
        isRaw = true
    }
}
