import CLI
import CSerialPort

/// `switchyard selftest`'s check of libserialport as linked into this binary, so a broken
/// link shows up here rather than the first time a device appears.
public enum SerialPortSelftests {
    /// The checks `switchyard selftest` runs for this module.
    public static var checks: [SelftestCheck] {[SelftestCheck("serial", run: listPorts)]}

    static func listPorts() -> SelftestOutcome {
        var ports: UnsafeMutablePointer<OpaquePointer?>? = nil
        guard sp_list_ports(&ports) == SP_OK else { return .failed("sp_list_ports failed") }
        var portCount = 0
        while let list = ports, list[portCount] != nil { portCount += 1 }
        sp_free_port_list(ports)
        let serialVersion = String(cString: sp_get_lib_version_string())
        return .passed("libserialport \(serialVersion) (\(portCount) ports)")
    }
}
