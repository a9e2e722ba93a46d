import Runtime

/// How a `SerialPort` reaches its device. Two drivers exist because libserialport 0.1.1
/// cannot open a terminal without modem-control lines: `sp_get_port_by_name` wants a
/// `/sys/class/tty` entry and `sp_open` a working `TIOCMGET`, and a pseudo-terminal (the
/// device simulators of the tests and the demo) has neither. Such ports get the small termios
/// driver; every real adapter goes through libserialport.
protocol SerialPortDriver: AnyObject {
    /// `libserialport` or `termios`, for logs and `state`.
    var name: String { get }
    /// The open descriptor, already non-blocking.
    var fileDescriptor: FileDescriptor { get }
    func configure(
        baud: Int, dataBits: Int, parity: SerialParity, stopBits: Int, flowControl: SerialFlowControl
    ) throws(SerialPortError)
    /// Sets or clears a modem-control line; returns false when this port has no such line
    /// (a pty), throws when the device failed.
    func setModemLine(_ line: SerialModemLine, on: Bool) throws(SerialPortError) -> Bool
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SerialPortError) -> IOResult<Int>
    func write(_ buffer: UnsafeRawBufferPointer) throws(SerialPortError) -> Int
    func flushInput() throws(SerialPortError)
    func bytesWaiting() throws(SerialPortError) -> Int
    /// Releases the device; idempotent.
    func close()
}

/// The two output lines a driver can set.
enum SerialModemLine {
    case dtr
    case rts

    var name: String {
        switch self {
        case .dtr: return "DTR"
        case .rts: return "RTS"
        }
    }
}
