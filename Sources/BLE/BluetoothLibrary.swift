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

extension BluetoothLibrary {
    /// An LE L2CAP socket to the ATT channel (CID 4) of `address`, connecting in the
    /// background (non-blocking: the descriptor turns writable when connected, or reports
    /// the error). SOCK_SEQPACKET: each read is one ATT PDU.
    public static func connectATT(to address: BLEAddress, random: Bool) throws(BLEError) -> OwnedDescriptor {
        do throws(RuntimeError) {
            let socket = try SystemCall.socket(domain: AF_BLUETOOTH, type: Int32(SOCK_SEQPACKET.rawValue),
                                               protocol: BTPROTO_L2CAP, name: "socket(BTPROTO_L2CAP)")
            var local = sockaddr_l2()
            local.l2_family = sa_family_t(AF_BLUETOOTH)
            local.l2_cid = UInt16(4).littleEndian
            local.l2_bdaddr_type = UInt8(BDADDR_LE_PUBLIC)
            try SystemCall.bind(socket.fd, to: local, name: "bind(L2CAP ATT)")
            try socket.fd.setNonBlocking()
            var remote = sockaddr_l2()
            remote.l2_family = sa_family_t(AF_BLUETOOTH)
            remote.l2_cid = UInt16(4).littleEndian
            remote.l2_bdaddr_type = UInt8(random ? BDADDR_LE_RANDOM : BDADDR_LE_PUBLIC)
            withUnsafeMutableBytes(of: &remote.l2_bdaddr) { bytes in
                for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: address.rawValue >> UInt64(8 * index)) }
            }
            let result = withUnsafePointer(to: &remote) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket.fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_l2>.size))
                }
            }
            if result != 0 && Errno.current != .inProgress {
                try SystemCall.fail("connect(L2CAP ATT " + address.text + ")", Errno.current)
            }
            return socket
        } catch {
            throw .system(error)
        }
    }
}
