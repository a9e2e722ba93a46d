import CBluetooth
import CSupport
import Runtime

/// libbluetooth (BlueZ's C library, no bluetoothd) at the edge: adapter lookup and the raw
/// HCI socket. The only file of the module that imports CBluetooth.
public enum BluetoothLibrary {
    /// The adapter index of `name` (`hci0`), nil when the kernel has no such adapter. Down
    /// adapters count: libbluetooth's hci_devid finds only adapters that are up, and without
    /// bluetoothd nobody powers one (see `powerOn`).
    public static func deviceID(_ name: String) -> Int32? {
        if let id = adapterNumber(name) { return sy_hci_dev_state(id) < 0 ? nil : id }
        let id = hci_devid(name)
        return id < 0 ? nil : id
    }

    /// N of `hciN`, nil for any other name.
    static func adapterNumber(_ name: String) -> Int32? {
        let digits = Array(name.utf8.dropFirst(3))
        guard name.hasPrefix("hci"), !digits.isEmpty, digits.count <= 5 else { return nil }
        var number: Int32 = 0
        for digit in digits {
            guard digit >= 0x30 && digit <= 0x39 else { return nil }
            number = number * 10 + Int32(digit - 0x30)
        }
        return number
    }

    /// Asks the kernel to power adapter `id` (mgmt Set Powered, not waited for); true if it
    /// was down. Without bluetoothd nobody else does: the kernel sets a new adapter up, then
    /// switches it off again after two seconds unless a mgmt user powers it, and a raw socket
    /// on a down adapter answers every command with ENETDOWN. Sent even when it is up: that
    /// ends the kernel's two seconds. Through mgmt, so the kernel registers SMP (pairing).
    public static func powerOn(deviceID id: Int32) throws(BLEError) -> Bool {
        let wasDown = sy_hci_dev_state(id) == 0
        let socket = try openMgmtSocket()
        let packet = MgmtCommand.setPowered(true).packet(index: UInt16(truncatingIfNeeded: id))
        // The kernel takes a mgmt command whole in the write and powers up after the socket
        // is gone; the reply is not needed (the caller retries while the adapter is down).
        let outcome: Result<IOResult<Int>, RuntimeError> = packet.withUnsafeBytes { bytes in
            do throws(RuntimeError) { return .success(try socket.fd.write(bytes)) } catch { return .failure(error) }
        }
        if case .failure(let error) = outcome { throw .system(error) }
        return wasDown
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
            // All events and no opcode filter: the Command Complete/Status of commands the
            // kernel sends (its LE Set Scan Enable when it pauses our scan to connect, its LE
            // Create Connection) and LE Connection Complete reach the scanner too, which is
            // how it knows to restore the scan (HCIScanner's kernel restore).
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
    /// `encrypted`: ask for security level medium before connecting, so the kernel encrypts the
    /// link with the bonded device's kept key (blood-pressure cuffs answer nothing otherwise).
    /// `adapter`: the link goes out from that adapter (`hciN`: bound to its address). Bound to
    /// no address, the kernel routes it through the first adapter up whose address is not the
    /// device's, newest first: with a second adapter that is another one than `ble.adapter`,
    /// without the keys the gateway loaded there (learned in the qemu boot test). A UART
    /// controller (a device path) is not the kernel's: any kernel adapter, as before.
    public static func connectATT(to address: BLEAddress, random: Bool, encrypted: Bool = false,
                                  from adapter: String = "") throws(BLEError) -> OwnedDescriptor {
        var source = bdaddr_t()
        if let id = adapterNumber(adapter) {
            guard sy_hci_dev_address(id, &source) == 0 else { throw .noSuchAdapter(adapter) }
        } else if !adapter.isEmpty && !adapter.hasPrefix("/") {
            guard let id = deviceID(adapter), sy_hci_dev_address(id, &source) == 0 else { throw .noSuchAdapter(adapter) }
        }
        do throws(RuntimeError) {
            let socket = try SystemCall.socket(domain: AF_BLUETOOTH, type: Int32(SOCK_SEQPACKET.rawValue),
                                               protocol: BTPROTO_L2CAP, name: "socket(BTPROTO_L2CAP)")
            var local = sockaddr_l2()
            local.l2_family = sa_family_t(AF_BLUETOOTH)
            local.l2_cid = UInt16(4).littleEndian
            local.l2_bdaddr = source
            local.l2_bdaddr_type = UInt8(BDADDR_LE_PUBLIC)
            try SystemCall.bind(socket.fd, to: local, name: "bind(L2CAP ATT)")
            try socket.fd.setNonBlocking()
            if encrypted {
                try SystemCall.setOption(socket.fd, level: SOL_BLUETOOTH, option: BT_SECURITY,
                                         to: bt_security(level: UInt8(BT_SECURITY_MEDIUM), key_size: 0), name: "setsockopt(BT_SECURITY)")
            }
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

extension BluetoothLibrary {
    /// The kernel's mgmt channel: an HCI socket bound to no device (HCI_DEV_NONE) on the
    /// CONTROL channel, non-blocking. One mgmt packet per read and per write; commands name
    /// their adapter by index. Needs CAP_NET_ADMIN, as the raw HCI socket does.
    public static func openMgmtSocket() throws(BLEError) -> OwnedDescriptor {
        do throws(RuntimeError) {
            let socket = try SystemCall.socket(domain: AF_BLUETOOTH, type: Int32(SOCK_RAW.rawValue),
                                               protocol: BTPROTO_HCI, name: "socket(AF_BLUETOOTH, BTPROTO_HCI)")
            var address = sockaddr_hci()
            address.hci_family = sa_family_t(AF_BLUETOOTH)
            address.hci_dev = UInt16(HCI_DEV_NONE)
            address.hci_channel = UInt16(HCI_CHANNEL_CONTROL)
            try SystemCall.bind(socket.fd, to: address, name: "bind(mgmt control channel)")
            try socket.fd.setNonBlocking()
            return socket
        } catch {
            throw .system(error)
        }
    }

    /// A Unix SOCK_SEQPACKET connection to `path`, non-blocking: a stand-in for the mgmt
    /// channel that speaks its packets byte for byte (tools/mgmt-sim.py), for tests and
    /// development without an adapter (`ble.mgmt_socket`). Here because it is the same kind
    /// of C socket plumbing as the Bluetooth sockets above.
    public static func connectSequencedPacket(path: String) throws(BLEError) -> OwnedDescriptor {
        guard var address = SystemCall.unixAddress(path) else {
            throw .invalidSetting(key: "ble.mgmt_socket", reason: "not a usable Unix socket path")
        }
        do throws(RuntimeError) {
            let socket = try SystemCall.socket(domain: AF_UNIX, type: Int32(SOCK_SEQPACKET.rawValue), protocol: 0,
                                               name: "socket(AF_UNIX, SOCK_SEQPACKET)")
            // A Unix socket connects at once (or fails); there is no handshake to wait for.
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket.fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if result != 0 { try SystemCall.fail("connect(" + path + ")", Errno.current) }
            try socket.fd.setNonBlocking()
            return socket
        } catch {
            throw .system(error)
        }
    }
}
