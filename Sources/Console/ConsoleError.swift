import Runtime
import SerialPort

/// Everything the Console module's doors can fail with: a console device that cannot be
/// used (at start, or when it fails later), or an RPC port that cannot be listened on. Each
/// case is one line a person can act on.
public enum ConsoleError: Error, Equatable {
    /// The console's serial device could not be opened or configured, or failed later.
    case serialDevice(SerialPortError)
    /// Standard input or output (the `-` console) could not be used.
    case device(path: String, RuntimeError)
    /// The configured baud rate is not one the console supports.
    case unsupportedBaud(Int)
    /// The RPC bind address is not a dotted IPv4 address.
    case invalidAddress(String)
    /// Creating, binding or listening on the RPC socket failed.
    case listen(address: String, RuntimeError)
    /// The RPC token file could not be read or made; RPC stays off (it would be open).
    case token(path: String, reason: String)

    /// One line for a log or the console.
    public var description: String {
        switch self {
        case .serialDevice(let error):
            return "console " + error.description
        case .device(let path, let error):
            return "console device " + path + ": " + error.description
        case .unsupportedBaud(let baud):
            return "console baud " + String(baud) + " is not supported: use one of "
                + SerialBaudRate.standardList
        case .invalidAddress(let address):
            return "RPC bind address \"" + address + "\" is not an IPv4 address such as 127.0.0.1"
        case .listen(let address, let error):
            return "cannot listen for RPC on " + address + ": " + error.description
        case .token(let path, let reason):
            return "RPC token " + path + ": " + reason + " (check the data directory is writable)"
        }
    }
}
