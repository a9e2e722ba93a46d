import CBluetooth
import CSupport
import Runtime

/// libbluetooth (BlueZ's C library, no bluetoothd) at the edge: adapter lookup and the raw
/// HCI socket. The only file of the module that imports CBluetooth.
public enum BluetoothLibrary {
    /// The adapter index of `name` (`hci0`), nil when the kernel has no such adapter.
    public static func deviceID(_ name: String) -> Int32? {
        let id = hci_devid(name)
        return id < 0 ? nil : id
    }

    /// A raw HCI socket bound to adapter `id` (channel RAW, so the kernel keeps the
    /// adapter: mgmt and other users still work), non-blocking, delivering events only.
    /// Reads and writes carry the H4 packet indicator, exactly like a UART stream.
    public static func openRawSocket(deviceID id: Int32) throws(BLEError) -> OwnedDescriptor {
        do throws(RuntimeError) {
            let socket = try SystemCall.socket(domain: AF_BLUETOOTH, type: Int32(SOCK_RAW.rawValue),
                                               protocol: BTPROTO_HCI, name: "socket(AF_BLUETOOTH, BTPROTO_HCI)")
            var filter = hci_filter()
            hci_filter_clear(&filter)
            hci_filter_set_ptype(HCI_EVENT_PKT, &filter)
            hci_filter_all_events(&filter)
            try SystemCall.setOption(socket.fd, level: SOL_HCI, option: HCI_FILTER, to: filter,
                                     name: "setsockopt(HCI_FILTER)")
            var address = sockaddr_hci()
            address.hci_family = sa_family_t(AF_BLUETOOTH)
            address.hci_dev = UInt16(truncatingIfNeeded: id)
            address.hci_channel = UInt16(HCI_CHANNEL_RAW)
            try SystemCall.bind(socket.fd, to: address, name: "bind(hci" + String(id) + ")")
            try socket.fd.setNonBlocking()
            return socket
        } catch {
            throw .system(error)
        }
    }
}
