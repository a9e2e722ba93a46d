import CSupport
import Runtime

/// Everything the BLE module can fail with; each case is one line saying what to do.
public enum BLEError: Error, Equatable, Sendable {
    /// `ble.adapter` names no adapter the kernel knows (`hci0`) and no device path.
    case noSuchAdapter(String)
    /// A system call failed (socket, bind, read, write).
    case system(RuntimeError)
    /// The serial port of a UART controller could not be opened or set up.
    case serial(String)
    /// A setting cannot work; `reason` says what is allowed.
    case invalidSetting(key: String, reason: String)
    /// Pairing asked of an HCI UART controller (the path in `ble.adapter`), which the
    /// kernel's mgmt API cannot reach.
    case pairingNeedsKernelAdapter(String)
    /// The kernel adapter was off; it was asked to power up and is tried again shortly.
    case poweringUp(String)

    /// The kernel refused because another LE connection attempt runs on the adapter (EBUSY):
    /// worth a quick retry, and no fault of the device.
    public var isAdapterBusy: Bool {
        if case .system(.system(_, let errno)) = self { return errno == Errno(EBUSY) }
        return false
    }

    public var description: String {
        switch self {
        case .noSuchAdapter(let name):
            return "no Bluetooth adapter " + name + " (see `hciconfig -a`; a UART controller is given by its device path)"
        case .system(let error):
            return error.description
        case .serial(let reason):
            return reason
        case .invalidSetting(let key, let reason):
            return key + ": " + reason
        case .pairingNeedsKernelAdapter(let path):
            return "pairing needs a kernel adapter (ble.adapter hci0): " + path
                + " is an HCI UART controller the gateway drives itself, and only the kernel's mgmt API pairs and keeps keys"
        case .poweringUp(let name):
            return name + " was off (no bluetoothd powers it): asked the kernel to power it up"
        }
    }
}
