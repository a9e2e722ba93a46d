import Runtime

/// Where the mgmt channel comes from: the kernel's, for a kernel adapter (`ble.adapter` hciN,
/// its index from libbluetooth), or a simulator's socket (`ble.mgmt_socket`, tests and
/// development). A UART controller has none: the kernel does not know it, so it cannot pair
/// with it or keep its keys.
struct MgmtEndpoint {
    let descriptor: OwnedDescriptor
    let index: UInt16
    let label: String

    /// Whether `settings` name a mgmt channel at all (else pairing answers why not).
    static func isAvailable(_ settings: BLESettings) -> Bool {
        !settings.mgmtSocket.isEmpty || !settings.adapter.hasPrefix("/")
    }

    /// Opens the channel `settings` name.
    static func open(_ settings: BLESettings) throws(BLEError) -> MgmtEndpoint {
        if !settings.mgmtSocket.isEmpty {
            let socket = try BluetoothLibrary.connectSequencedPacket(path: settings.mgmtSocket)
            // A simulator stands for one adapter; index 0, as hci0 would be.
            return MgmtEndpoint(descriptor: socket, index: 0, label: settings.mgmtSocket + " (mgmt simulator)")
        }
        guard !settings.adapter.hasPrefix("/") else { throw .pairingNeedsKernelAdapter(settings.adapter) }
        guard let id = BluetoothLibrary.deviceID(settings.adapter) else { throw .noSuchAdapter(settings.adapter) }
        let socket = try BluetoothLibrary.openMgmtSocket()
        return MgmtEndpoint(descriptor: socket, index: UInt16(truncatingIfNeeded: id),
                            label: settings.adapter + " (kernel mgmt)")
    }
}
