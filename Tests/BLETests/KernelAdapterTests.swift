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

    /// Learned in the qemu boot test: bound to no address, the kernel sent the gateway's ATT
    /// link through another adapter (the newest one up whose address is not the device's), so
    /// the cuff saw a stranger without the bond, and the test's links went astray. The link
    /// now goes out from `ble.adapter`'s own address; an adapter that is not there is refused
    /// rather than routed through some other one.
    @Test("an ATT link goes out from ble.adapter: one the kernel does not have is refused, not routed elsewhere")
    func attFromTheConfiguredAdapter() {
        let cuff = BLEAddress(rawValue: 0x00AA_0102_0000)
        #expect(throws: BLEError.noSuchAdapter("hci97")) {
            _ = try BluetoothLibrary.connectATT(to: cuff, random: false, encrypted: true, from: "hci97")
        }
        #expect(throws: BLEError.noSuchAdapter("bt-usb")) {
            _ = try BluetoothLibrary.connectATT(to: cuff, random: false, from: "bt-usb")
        }
    }
}
