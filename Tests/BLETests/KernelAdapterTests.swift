@testable import BLE
import Testing

/// Naming a kernel adapter. Learned from the kernel (qemu boot test): libbluetooth's
/// hci_devid finds only adapters that are up, and with no bluetoothd nobody powers one, so
/// the gateway read "no adapter hci0" for an adapter that was there; `hciN` is now its own
/// index, looked up whether up or down (and powered up through mgmt by `powerOn`).
@Suite("Kernel adapter names")
struct KernelAdapterTests {
    @Test("hciN is adapter N, anything else is not an adapter number")
    func adapterNumbers() {
        #expect(BluetoothLibrary.adapterNumber("hci0") == 0)
        #expect(BluetoothLibrary.adapterNumber("hci12") == 12)
        for name in ["hci", "hcix", "hci-1", "hci1a", "/dev/ttyAMA0", "HCI0", "hci999999", ""] {
            #expect(BluetoothLibrary.adapterNumber(name) == nil, "\(name)")
        }
    }

    @Test("an adapter the kernel does not have is no adapter (up or down)")
    func missingAdapter() {
        #expect(BluetoothLibrary.deviceID("hci97") == nil)
        #expect(throws: BLEError.self) { _ = try HCITransport.open(adapter: "hci97", baud: 115_200) }
    }
}
