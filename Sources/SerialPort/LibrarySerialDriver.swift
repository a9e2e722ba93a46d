import CSerialPort
import CSupport
import Runtime

/// A port driven through libserialport: owns the `sp_port*` and closes and frees it.
final class LibrarySerialDriver: SerialPortDriver {
    let name = "libserialport"
    let path: String
    let fileDescriptor: FileDescriptor
    private var port: OpaquePointer?

    /// Wraps an `sp_port*` that `sp_open` has already opened; takes ownership.
    init(path: String, openPort: OpaquePointer) throws(SerialPortError) {
        self.path = path
        self.port = openPort
        var handle: Int32 = -1
        if let failure = SerialPortLibrary.failure(of: sp_get_port_handle(openPort, &handle)) {
            sp_close(openPort)
            sp_free_port(openPort)
            port = nil
            throw .openFailed(path: path, reason: failure.message)
        }
        fileDescriptor = FileDescriptor(handle)
        // libserialport leaves the descriptor blocking after sp_open; the run loop needs
        // reads and writes that return at once.
        do throws(RuntimeError) { try fileDescriptor.setNonBlocking() } catch {
            sp_close(openPort)
            sp_free_port(openPort)
            port = nil
            throw .openFailed(path: path, reason: error.description)
        }
    }

    deinit { close() }

    func close() {
        guard let port else { return }
        sp_close(port)
        sp_free_port(port)
        self.port = nil
    }

    private func openPort(_ operation: String) throws(SerialPortError) -> OpaquePointer {
        guard let port else { throw .ioFailed(path: path, operation: operation, reason: "port is closed") }
        return port
    }

    func configure(
        baud: Int, dataBits: Int, parity: SerialParity, stopBits: Int, flowControl: SerialFlowControl
    ) throws(SerialPortError) {
        let port = try openPort("configure")
        var config: OpaquePointer? = nil
        guard sp_new_config(&config) == SP_OK, let config else {
            throw .configureFailed(path: path, setting: "line settings", reason: "out of memory")
        }
        defer { sp_free_config(config) }
        // One sp_set_config applies everything at once (each sp_set_* alone re-reads and
        // re-writes the whole termios state).
        let steps: [(String, sp_return)] = [
            ("baud " + String(baud), sp_set_config_baudrate(config, Int32(clamping: baud))),
            ("data bits " + String(dataBits), sp_set_config_bits(config, Int32(clamping: dataBits))),
            ("parity " + parity.name, sp_set_config_parity(config, parity.libraryValue)),
            ("stop bits " + String(stopBits), sp_set_config_stopbits(config, Int32(clamping: stopBits))),
            ("flow control " + flowControl.name, sp_set_config_flowcontrol(config, flowControl.libraryValue)),
        ]
        for (setting, result) in steps {
            if let failure = SerialPortLibrary.failure(of: result) {
                throw .configureFailed(path: path, setting: setting, reason: failure.message)
            }
        }
        if let failure = SerialPortLibrary.failure(of: sp_set_config(port, config)) {
            throw .configureFailed(path: path, setting: "line settings (baud " + String(baud) + ")",
                                   reason: failure.message)
        }
    }

    func setModemLine(_ line: SerialModemLine, on: Bool) throws(SerialPortError) -> Bool {
        let port = try openPort("set " + line.name)
        let result: sp_return
        switch line {
        case .dtr: result = sp_set_dtr(port, on ? SP_DTR_ON : SP_DTR_OFF)
        case .rts: result = sp_set_rts(port, on ? SP_RTS_ON : SP_RTS_OFF)
        }
        guard let failure = SerialPortLibrary.failure(of: result) else { return true }
        if failure.errno == ENOTTY || failure.errno == EINVAL { return false }
        if SerialPortLibrary.isDisconnect(failure.errno) { throw .disconnected(path: path) }
        throw .ioFailed(path: path, operation: "set " + line.name, reason: failure.message)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SerialPortError) -> IOResult<Int> {
        let port = try openPort("read")
        guard buffer.count > 0 else { return .done(0) }
        // sp_nonblocking_read reports EAGAIN as 0 bytes; an unplugged adapter fails with EIO
        // (and poll reports a hang-up), so 0 here always means "nothing yet".
        let result = sp_nonblocking_read(port, buffer.baseAddress, buffer.count)
        if let failure = SerialPortLibrary.failure(of: result) {
            if SerialPortLibrary.isDisconnect(failure.errno) { throw .disconnected(path: path) }
            throw .ioFailed(path: path, operation: "read", reason: failure.message)
        }
        return result.rawValue == 0 ? .wouldBlock : .done(Int(result.rawValue))
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws(SerialPortError) -> Int {
        let port = try openPort("write")
        guard buffer.count > 0 else { return 0 }
        let result = sp_nonblocking_write(port, buffer.baseAddress, buffer.count)
        if let failure = SerialPortLibrary.failure(of: result) {
            if SerialPortLibrary.isDisconnect(failure.errno) { throw .disconnected(path: path) }
            throw .ioFailed(path: path, operation: "write", reason: failure.message)
        }
        return Int(result.rawValue)
    }

    func flushInput() throws(SerialPortError) {
        let port = try openPort("flush")
        if let failure = SerialPortLibrary.failure(of: sp_flush(port, SP_BUF_INPUT)) {
            if SerialPortLibrary.isDisconnect(failure.errno) { throw .disconnected(path: path) }
            throw .ioFailed(path: path, operation: "flush", reason: failure.message)
        }
    }

    func bytesWaiting() throws(SerialPortError) -> Int {
        let port = try openPort("input query")
        let result = sp_input_waiting(port)
        if let failure = SerialPortLibrary.failure(of: result) {
            if SerialPortLibrary.isDisconnect(failure.errno) { throw .disconnected(path: path) }
            throw .ioFailed(path: path, operation: "input query", reason: failure.message)
        }
        return Int(result.rawValue)
    }
}
