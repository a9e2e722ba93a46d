/// Everything the SerialPort module can fail with. Each case names the port and carries the
/// operating system's (or libserialport's) own words, so a log line says what to fix.
/// Would-block is a value (`IOResult.wouldBlock`), never an error.
public enum SerialPortError: Error, Equatable {
    /// Nothing exists at `path` (an unplugged adapter, a typo in the port list).
    case notFound(path: String)
    /// The port exists but could not be opened: busy, no permission, not a terminal.
    case openFailed(path: String, reason: String)
    /// The line settings (`setting`, e.g. `baud 115200`) were refused.
    case configureFailed(path: String, setting: String, reason: String)
    /// A read, write, flush or query failed for another reason than the device going away.
    case ioFailed(path: String, operation: String, reason: String)
    /// The device went away (USB unplug, pty master closed): close it and reopen later.
    case disconnected(path: String)
    /// The system's list of serial ports could not be read.
    case listFailed(reason: String)

    /// One line for a log or a console: what failed, where, and why.
    public var description: String {
        switch self {
        case .notFound(let path):
            return "serial port " + path + " not found: No such file or directory"
        case .openFailed(let path, let reason):
            return "cannot open serial port " + path + ": " + reason
        case .configureFailed(let path, let setting, let reason):
            return "cannot set " + setting + " on serial port " + path + ": " + reason
        case .ioFailed(let path, let operation, let reason):
            return operation + " on serial port " + path + " failed: " + reason
        case .disconnected(let path):
            return "serial port " + path + " disconnected"
        case .listFailed(let reason):
            return "cannot list serial ports: " + reason
        }
    }

    /// The port the error is about, if it is about one.
    public var path: String? {
        switch self {
        case .notFound(let path), .openFailed(let path, _), .configureFailed(let path, _, _),
             .ioFailed(let path, _, _), .disconnected(let path):
            return path
        case .listFailed:
            return nil
        }
    }
}
