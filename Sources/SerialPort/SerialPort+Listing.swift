import CSerialPort

extension SerialPort {
    /// Every serial port the system knows (`/sys/class/tty` entries with a real driver), with
    /// USB IDs and strings where there are some. Pseudo-terminals are never listed.
    public static func list() throws(SerialPortError) -> [SerialPortInfo] {
        var ports: UnsafeMutablePointer<OpaquePointer?>? = nil
        if let failure = SerialPortLibrary.failure(of: sp_list_ports(&ports)) {
            throw .listFailed(reason: failure.message)
        }
        guard let ports else { return [] }
        defer { sp_free_port_list(ports) }
        var result: [SerialPortInfo] = []
        var index = 0
        while let port = ports[index] {
            result.append(SerialPortInfo(libraryPort: port))
            index += 1
        }
        return result
    }
}
