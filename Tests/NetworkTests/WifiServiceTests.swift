import Foundation
import JSON
import Runtime
import ServiceKit
import ServiceTestSupport
import Testing
import TestSupport
@testable import Network

/// The network service's Wi-Fi against tools/wpa-supplicant-sim.py, which speaks
/// wpa_supplicant's control protocol on a datagram Unix socket and joins its one simulated
/// access point from the configuration file the service wrote. The interface is `lo` (it
/// exists on every host and has an address, so no udhcpc is started).
@Suite("Wi-Fi service", .serialized)
struct WifiServiceTests {
    static let rightPassphrase = "correct horse battery"

    /// A rig whose host runs the network service over the simulator's socket directory.
    private func rig(_ directory: TemporaryDirectory, psk: String) throws -> ServiceRig {
        try ServiceRig(descriptor: NetworkService.descriptor,
                       settings: ["network.enabled": "true", "time.servers": "127.0.0.1:9",
                                  "wifi.interface": "lo", "wifi.run_directory": directory.path,
                                  "wifi.ssid": "switchyard-test", "wifi.psk": psk, "wifi.country": "DE"],
                       broker: false)
    }

    private func simulator(_ directory: TemporaryDirectory) throws -> ToolSimulator {
        try ToolSimulator("wpa-supplicant-sim.py", ["--socket-dir", directory.path + "/wpa", "--interface", "lo",
                                                    "--config", directory.path + "/wpa_supplicant.conf",
                                                    "--ssid", "switchyard-test", "--psk", Self.rightPassphrase])
    }

    private func wifi(_ rig: ServiceRig) -> JSONValue? {
        (rig.service as? NetworkService)?.stateJSON()["wifi"]
    }

    @Test func aWrongPassphraseIsReportedAsSuchAndTheRightOneAppliesAtSave() throws {
        let directory = TemporaryDirectory(prefix: "wifi")
        let sim = try simulator(directory)
        let rig = try rig(directory, psk: "wrong passphrase 1")
        defer { rig.stop(); ClockTrust.set(.unmanaged) }
        rig.start()
        #expect(rig.run(timeout: 10) { wifi(rig)?["last_error"]?.stringValue?.contains("wrong password") == true },
                "\(String(describing: wifi(rig)))")
        #expect(sim.records.contains { $0.hasPrefix("reconfigured ssid=switchyard-test psk=wrong country=DE hidden=0 mode=0o600") },
                "\(sim.records)")
        let reply = rig.command("wifi", ["status"])
        #expect(reply.output.text.contains("wrong password"), "\(reply.output.text)")

        // `set` + `save`, as the console does: the host restarts the service, which has the
        // running wpa_supplicant RECONFIGURE with the new passphrase; no reboot, no new process.
        _ = try rig.store.set("wifi.psk", to: Self.rightPassphrase)
        try rig.store.save()
        rig.host.settingsChanged()
        #expect(rig.run(timeout: 10) { wifi(rig)?["state"]?.stringValue == "connected" && wifi(rig)?["signal_dbm"]?.intValue == -42 },
                "\(String(describing: wifi(rig)))")
        #expect(sim.records.filter { $0 == "command RECONFIGURE" }.count == 2, "\(sim.records)")
        #expect(sim.records.contains { $0.hasPrefix("reconfigured ssid=switchyard-test psk=right") })
        let state = try #require(wifi(rig))
        #expect(state["ssid"]?.stringValue == "switchyard-test")
        #expect(state["ip"]?.stringValue == "10.0.3.2")
        #expect(state["last_error"] == nil, "a success clears the error: \(state)")

        // The passphrase is in the 0600 file only: never in state, status or the log.
        let everything = state.serialized() + rig.command("wifi", ["status"]).output.text
            + ((rig.service as? NetworkService)?.stateJSON().serialized() ?? "")
        #expect(!everything.contains(Self.rightPassphrase) && !everything.contains("wrong passphrase 1"))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/wpa_supplicant.conf")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        // A lost connection is wpa_supplicant's to repair; the state follows it.
        sim.send("drop")
        #expect(rig.run(timeout: 10) { wifi(rig)?["state"]?.stringValue != "connected" })
    }

    @Test func scanListsTheNetworksStrongestFirstAndCountsABrokenRow() throws {
        let directory = TemporaryDirectory(prefix: "wifi")
        let sim = try simulator(directory)
        let rig = try rig(directory, psk: Self.rightPassphrase)
        defer { rig.stop(); ClockTrust.set(.unmanaged) }
        rig.start()
        #expect(rig.run(timeout: 10) { wifi(rig)?["state"]?.stringValue == "connected" })
        let first = rig.command("wifi", ["scan"])
        #expect(first.ok && first.output.text.contains("\"scan_started\":true"), "\(first.output.text)")
        #expect(rig.run(timeout: 10) { rig.command("wifi", ["scan"]).output.text.contains("cafe open") })
        let networks = try #require(rig.command("wifi", ["scan"]).output.json["networks"]?.arrayValue)
        #expect(networks.compactMap { $0["ssid"]?.stringValue } == ["switchyard-test", "cafe open"])
        #expect(networks.first?["signal_dbm"]?.intValue == -42)
        #expect(wifi(rig)?["dropped"]?.intValue ?? 0 >= 1, "the row without a frequency is counted")
        #expect(sim.records.contains("command SCAN_RESULTS"))
    }

    @Test func withoutTheInterfaceNothingStartsAndStatusSaysSo() throws {
        let directory = TemporaryDirectory(prefix: "wifi")
        let rig = try ServiceRig(descriptor: NetworkService.descriptor,
                                 settings: ["network.enabled": "true", "time.servers": "127.0.0.1:9",
                                            "wifi.interface": "wlan-none9", "wifi.run_directory": directory.path,
                                            "wifi.ssid": "home", "wifi.psk": Self.rightPassphrase],
                                 broker: false)
        defer { rig.stop(); ClockTrust.set(.unmanaged) }
        rig.start()
        #expect(wifi(rig)?["state"]?.stringValue == "no wlan-none9")
        #expect(rig.command("wifi", ["status"]).output.text.contains("no wlan-none9"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/wpa_supplicant.conf"), "nothing written without the interface")
    }

    @Test func aBadPassphraseSettingIsShownWithoutItsValue() throws {
        let directory = TemporaryDirectory(prefix: "wifi")
        let rig = try rig(directory, psk: "short")
        defer { rig.stop(); ClockTrust.set(.unmanaged) }
        rig.start()
        let status = rig.command("wifi", ["status"]).output.text
        #expect(status.contains("invalid setting") && status.contains("wifi.psk"), "\(status)")
        #expect(!status.contains("short"), "\(status)")
    }
}
