import Foundation
import JSON
import Runtime
import ServiceKit
import Store
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

    @Test("bad Wi-Fi values are refused at set, naming the key, never echoing the passphrase",
          arguments: [("wifi.psk", "short"), ("wifi.psk", String(repeating: "0", count: 63) + "g"),
                      ("wifi.psk", String(repeating: "p", count: 65)), ("wifi.psk", "pässwort-lang"),
                      ("wifi.ssid", String(repeating: "s", count: 33)), ("wifi.country", "D"),
                      ("wifi.country", "DEU"), ("wifi.country", "D1")])
    func aBadValueIsRefusedAtSet(key: String, value: String) throws {
        let directory = TemporaryDirectory(prefix: "wifi")
        let rig = try rig(directory, psk: Self.rightPassphrase)
        defer { rig.stop(); ClockTrust.set(.unmanaged) }
        let before = rig.store.show()
        var refused: StoreError?
        do throws(StoreError) { _ = try rig.store.set(key, to: value) } catch { refused = error }
        let message = try #require(refused, "\(key) took \(value.debugDescription)").description
        #expect(message.hasPrefix(key + ": "), "\(message)")
        if key == "wifi.psk" { #expect(!message.contains(value) && message.contains("***"), "\(message)") }
        #expect(rig.store.show() == before, "the value is unchanged")
    }

    @Test func goodWifiValuesAreTakenAndTheCountryIsKeptUpperCase() throws {
        let directory = TemporaryDirectory(prefix: "wifi")
        let rig = try rig(directory, psk: Self.rightPassphrase)
        defer { rig.stop(); ClockTrust.set(.unmanaged) }
        _ = try rig.store.set("wifi.country", to: "gb")
        #expect(rig.store.value(NetworkConfigKeys.wifiCountry) == "GB")
        _ = try rig.store.set("wifi.psk", to: String(repeating: "0123456789abcdef", count: 4))
        _ = try rig.store.set("wifi.psk", to: "")
        _ = try rig.store.set("wifi.ssid", to: String(repeating: "s", count: 32))
        _ = try rig.store.set("wifi.ssid", to: "")
    }

    @Test func unconnectedWifiDegradesTheServiceAndAsksTheLEDForNotConnected() throws {
        let directory = TemporaryDirectory(prefix: "wifi")
        let sim = try simulator(directory)
        let rig = try rig(directory, psk: "wrong passphrase 1")
        defer { rig.stop(); ClockTrust.set(.unmanaged) }
        rig.start()
        #expect(rig.run(timeout: 10) { rig.health?.detail.contains("Wi-Fi not connected: wrong password") == true },
                "\(String(describing: rig.health))")
        #expect(rig.health?.name == "degraded")
        #expect(rig.host.attention(of: "network") == .notConnected)
        _ = try rig.store.set("wifi.psk", to: Self.rightPassphrase)
        try rig.store.save()
        rig.host.settingsChanged()
        #expect(rig.run(timeout: 10) { wifi(rig)?["state"]?.stringValue == "connected" })
        #expect(rig.run(timeout: 5) { rig.host.attention(of: "network") == Attention.none },
                "\(String(describing: rig.host.attention(of: "network")))")
        #expect(rig.health?.detail.contains("Wi-Fi") == false, "\(String(describing: rig.health))")

        // A network that is not there: the reason says so.
        _ = try rig.store.set("wifi.ssid", to: "not-here")
        try rig.store.save()
        rig.host.settingsChanged()
        #expect(rig.run(timeout: 10) { rig.health?.detail.contains("Wi-Fi not connected: network not found") == true },
                "\(String(describing: rig.health))")
        #expect(rig.host.attention(of: "network") == .notConnected)
    }
}
