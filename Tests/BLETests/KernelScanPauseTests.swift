@testable import BLE
import Foundation
import JSON
import TestSupport
import Testing

/// Learned from the kernel (qemu boot test, issue 23): on a kernel adapter the kernel follows
/// our raw-socket scan enable and turns the scan off to connect (GATT, pairing); afterwards it
/// leaves it off, and adverts stopped until the watchdog restarted the scan 15-20 s later.
/// The scanner now sees the kernel's LE Set Scan Enable answers and restores the scan once
/// the connection attempt is over. hci-sim.py plays the kernel (`kernel-connect`,
/// `kernel-disconnect`); the watchdog is set far out so only the restore can bring adverts back.
@Suite("The kernel pausing our scan to connect", .serialized)
struct KernelScanPauseTests {
    static let advert = "020106" + "0A16D2FC4002C40903BF13"

    /// Sends adverts from `device` until the service has decoded one or `seconds` pass.
    static func heard(_ rig: ScanningRig, _ device: BLEAddress, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            rig.sim.send("advert \(advert) \(device.text) -50")
            if rig.loop.run(timeout: 0.2, until: { rig.service.registry[device]?.reading != nil }) { return true }
        }
        return false
    }

    /// Position of the last record equal to `line`, or nil.
    static func lastIndex(_ rig: ScanningRig, _ line: String) -> Int? {
        rig.sim.records.lastIndex(of: line)
    }

    @Test("after the kernel's connection the scan is back within a second and adverts flow again")
    func restoredAfterConnection() throws {
        let rig = try ScanningRig(["ble.watchdog_windows": "100"])
        defer { rig.host.stopAll() }
        #expect(KernelScanPauseTests.heard(rig, BLEAddress("A4:C1:38:66:00:01")!, within: 5))
        let enablesBefore = rig.sim.scanEnables

        // The connection takes longer than the restore's debounce: the scan must wait for it.
        let connecting = 1.2
        let paused = Date()
        rig.sim.send("kernel-connect C0:11:22:33:44:55 00 \(connecting)")
        #expect(rig.loop.run(timeout: 4) { rig.sim.scanEnables > enablesBefore })
        let restoredAfter = Date().timeIntervalSince(paused) - connecting
        print("kernel scan pause: scan re-enabled \(Int(restoredAfter * 1000)) ms after the kernel's connection completed")
        #expect(restoredAfter > 0 && restoredAfter < 1.0)
        #expect(rig.service.scanner?.stats.restartsAfterKernel == 1)
        // Not while the kernel was connecting: the scan came back after its Connection Complete.
        let connected = KernelScanPauseTests.lastIndex(rig, "KERNEL CONNECTED")
        let enabled = KernelScanPauseTests.lastIndex(rig, "SCAN on")
        #expect(connected != nil && enabled != nil && enabled! > connected!)
        #expect(KernelScanPauseTests.heard(rig, BLEAddress("A4:C1:38:66:00:02")!, within: 3))

        // The kernel turns it off again after the link goes down: restored again.
        let enablesConnected = rig.sim.scanEnables
        rig.sim.send("kernel-disconnect")
        #expect(rig.loop.run(timeout: 3) { rig.sim.scanEnables > enablesConnected })
        #expect(rig.service.scanner?.stats.restartsAfterKernel == 2)
        #expect(KernelScanPauseTests.heard(rig, BLEAddress("A4:C1:38:66:00:03")!, within: 3))
        #expect(rig.service.scanner?.stats.watchdogResets == 0)
        #expect(rig.service.scanner?.stats.json.description.contains("\"scan_restarts_after_kernel\":2") == true)
    }

    @Test("a failed connection attempt also ends the pause")
    func restoredAfterFailedConnection() throws {
        let rig = try ScanningRig(["ble.watchdog_windows": "100"])
        defer { rig.host.stopAll() }
        let enablesBefore = rig.sim.scanEnables
        // 0x3E: Connection Failed to be Established.
        rig.sim.send("kernel-connect C0:11:22:33:44:56 3E")
        #expect(rig.loop.run(timeout: 3) { rig.sim.scanEnables > enablesBefore })
        #expect(rig.service.scanner?.stats.restartsAfterKernel == 1)
        #expect(KernelScanPauseTests.heard(rig, BLEAddress("A4:C1:38:66:00:04")!, within: 3))
    }
}
