import CSupport
import Runtime

/// Raw mode on a terminal, undone on request. Bytes arrive one by one as sent or typed (no
/// line discipline, no echo, no CR/LF translation, Ctrl-C a byte rather than SIGINT), and
/// `restore()` puts back the settings found, so whoever uses the tty next (a shell, a getty,
/// the next open) gets it as it was rather than as we left it.
///
/// The one place termios raw mode is made: the termios driver uses it for the ports it opens,
/// the console for standard input when that is a terminal. It borrows the descriptor; the
/// owner calls `restore()` before closing it (there is no `deinit` restore, because by then
/// the descriptor number may belong to something else).
public final class RawTerminalMode {
    private let descriptor: FileDescriptor
    private var saved = termios()
    private var isActive = false

    /// Saves the settings of the terminal on `descriptor` and switches it to raw mode at its
    /// current speed. Throws the failing call with its errno (`tcgetattr` on something that is
    /// not a terminal); the terminal is then unchanged.
    public init(_ descriptor: FileDescriptor) throws(RuntimeError) {
        self.descriptor = descriptor
        var found = termios()
        _ = try SystemCall.retrying("tcgetattr") { tcgetattr(descriptor.rawValue, &found) }
        var raw = found
        cfmakeraw(&raw)
        // Consoles and ptys have no modem lines: ignore them (CLOCAL) so a missing carrier
        // never blocks or hangs us up, and keep the receiver on (CREAD).
        raw.c_cflag |= tcflag_t(CLOCAL) | tcflag_t(CREAD)
        // One byte is enough for read() to return, with no inter-byte timer. (VMIN 0 would
        // make a read with nothing there return 0, which looks like end of input.)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        _ = try SystemCall.retrying("tcsetattr") { tcsetattr(descriptor.rawValue, TCSANOW, &raw) }
        saved = found
        isActive = true
    }

    /// Puts back the settings found at `init`; later calls do nothing. Fails quietly: the
    /// device may be gone (a pty whose master closed), and there is nothing else to do on
    /// the way out.
    public func restore() {
        guard isActive else { return }
        isActive = false
        _ = tcsetattr(descriptor.rawValue, TCSANOW, &saved)
    }
}
