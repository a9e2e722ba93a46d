@testable import BLE
import Foundation
import JSON
import Runtime
import ServiceKit
import Store
import ServiceTestSupport
import TestSupport
import Testing
import Uplink

/// Pairing end to end: the BLE service scanning an HCI UART controller (tools/hci-sim.py) and
/// pairing through a simulated kernel mgmt channel (tools/mgmt-sim.py, `ble.mgmt_socket`)
/// that speaks real mgmt packets.
@Suite("BLE pairing over a simulated kernel mgmt channel", .serialized)
struct BLEPairingTests {
    /// A rig for the BLE service with `settings`; pairing needs no broker (the client is never started).
    private func pairingRig(_ settings: [String: String], dataDirectory: String? = nil) throws -> ServiceRig {
        try ServiceRig(descriptor: BLEService.descriptor, settings: settings, broker: false, dataDirectory: dataDirectory)
    }

    /// Starts `rig`'s host: its BLE service, scanning until it hears the simulated sensors.
    private func started(_ rig: ServiceRig, hci: HCISimulator) throws -> BLEService {
        rig.start()
        let service = try rig.service(as: BLEService.self)
        #expect(rig.run(timeout: 5) { service.scanner?.state == .scanning })
        hci.send("sensors")
        #expect(rig.run(timeout: 5) { service.registry.count >= 5 })
        return service
    }

    /// Runs `bcms words` through the door-facing API, waiting (running the loop) for the answer.
    private func bcms(_ registry: CommandRegistry, _ words: [String], loop: EventLoop, timeout: TimeInterval = 10)
        -> (reply: CommandReply?, seconds: Double)
    {
        var reply: CommandReply?
        let start = Date()
        registry.execute("bcms", CommandRequest(origin: .rpc, arguments: words)) { reply = $0 }
        loop.run(timeout: timeout) { reply != nil }
        return (reply, Date().timeIntervalSince(start))
    }

    private func status(_ reply: CommandReply?) -> Bool? { reply?.output.json["status"]?.boolValue }
    private func firstError(_ reply: CommandReply?) -> String { reply?.output.json["errors"]?[0]?.stringValue ?? "" }

    @Test("pair answers after the pairing, keys kept as a secret, reloaded after a restart, is_paired, list, unpair")
    func pairKeepReloadUnpair() throws {
        let hci = try HCISimulator()
        let mgmt = try MgmtSimulator(delay: 1.0)
        let rig = try pairingRig(["ble.enabled": "true", "ble.adapter": hci.path, "ble.mgmt_socket": mgmt.path])
        let (store, loop, registry) = (rig.store, rig.loop, rig.commands)
        let (_, lines) = try LogCapture.lines { () throws -> Void in
            let service = try started(rig, hci: hci)
            // At start: the IO capability, bondable, and the (still empty) kept keys.
            #expect(loop.run(timeout: 5) { mgmt.loaded("irk").count == 1 })
            #expect(mgmt.commands.map { String($0.prefix(4)) } == ["0018", "0009", "0013", "0030"])
            #expect(mgmt.commands.first == "0018 0 03")
            #expect(mgmt.loaded("ltk") == ["LOADED ltk 0"])

            let (paired, seconds) = bcms(registry, ["pair", "--address", "A4:C1:38:00:00:01"], loop: loop)
            #expect(status(paired) == true, "\(String(describing: paired))")
            #expect(seconds >= 0.9, "answered when the pairing was done, not at once")
            #expect(mgmt.records.contains("PAIR A4:C1:38:00:00:01 1"))
            let ltk = try #require(mgmt.longTermKey("A4:C1:38:00:00:01"))
            // The Ruuvi advertises with a random address: mgmt type 2, and an IRK comes too.
            #expect(status(bcms(registry, ["pair", "C2:76:12:34:56:78"], loop: loop).reply) == true)
            #expect(mgmt.records.contains("PAIR C2:76:12:34:56:78 2"))
            let irk = try #require(mgmt.identityKey("C2:76:12:34:56:78"))
            // Pairing again: the kernel says already paired, and so do we.
            let again = bcms(registry, ["pair", "--address", "A4:C1:38:00:00:01"], loop: loop).reply
            #expect(status(again) == false && firstError(again).contains("already paired"), "\(String(describing: again))")

            // Kept in the secret record, never shown: not by config, not in state.
            let kept = store.secretValue(BLEConfigKeys.pairingKeys)
            #expect(kept.contains(ltk) && kept.contains(irk))
            #expect(!store.show().joined().contains(ltk))
            #expect(try store.entry("ble.pairing_keys").displayValue == "***")
            let reread = ConfigStore(schema: store.schema, dataDirectory: rig.directory.path, environment: { _ in nil })
            #expect(reread.secretValue(BLEConfigKeys.pairingKeys) == kept, "saved to the data directory")
            let state = service.stateJSON().serialized()
            #expect(!state.contains(ltk) && !state.contains(irk))
            #expect(service.stateJSON()["pairing"]?["paired"]?.intValue == 2)

            #expect(status(bcms(registry, ["is_paired", "--address", "A4:C1:38:00:00:01"], loop: loop).reply) == true)
            #expect(status(bcms(registry, ["is_paired", "--address", "A4:C1:38:04:05:06"], loop: loop).reply) == false)
            let list = try #require(bcms(registry, ["list"], loop: loop).reply?.output.json["devices"]?.arrayValue)
            let entry = list.first { $0["address"]?.stringValue == "A4:C1:38:00:00:01" }
            #expect(entry?["paired"]?.boolValue == true)
            #expect(list.first { $0["address"]?.stringValue == "A4:C1:38:04:05:06" }?["paired"]?.boolValue == false)

            // A restart: a new rig whose store reads the same data directory, as the gateway
            // coming up again; the new instance hands the kept keys back to the kernel.
            rig.stop()
            let restarted = try pairingRig([:], dataDirectory: rig.directory.path)
            let (reloadedStore, loop2, registry2) = (restarted.store, restarted.loop, restarted.commands)
            let service2 = try started(restarted, hci: hci)
            #expect(loop2.run(timeout: 5) { mgmt.loaded("irk").count == 2 })
            let reloaded = try #require(mgmt.loaded("ltk").last)
            #expect(reloaded.hasPrefix("LOADED ltk 2 "))
            #expect(reloaded.contains("A4:C1:38:00:00:01=" + ltk) && reloaded.contains("C2:76:12:34:56:78="))
            #expect(mgmt.loaded("irk").last == "LOADED irk 1 C2:76:12:34:56:78=" + irk)
            #expect(service2.pairing.isPaired(BLEAddress("A4:C1:38:00:00:01")!))

            // Unpair: the kernel drops its keys, and we ours.
            let unpaired = bcms(registry2, ["unpair", "--address", "A4:C1:38:00:00:01"], loop: loop2).reply
            #expect(status(unpaired) == true, "\(String(describing: unpaired))")
            #expect(mgmt.records.contains("UNPAIR A4:C1:38:00:00:01"))
            #expect(status(bcms(registry2, ["is_paired", "A4:C1:38:00:00:01"], loop: loop2).reply) == false)
            #expect(!reloadedStore.secretValue(BLEConfigKeys.pairingKeys).contains(ltk))
            let notPaired = bcms(registry2, ["unpair", "--address", "A4:C1:38:00:00:01"], loop: loop2).reply
            #expect(status(notPaired) == false && firstError(notPaired).contains("not paired"))
            // Someone else unpairs the Ruuvi (Device Unpaired): its keys go too.
            mgmt.send("unpaired C2:76:12:34:56:78 random")
            #expect(loop2.run(timeout: 5) { !service2.pairing.isPaired(BLEAddress("C2:76:12:34:56:78")!) })
            #expect(reloadedStore.secretValue(BLEConfigKeys.pairingKeys).isEmpty)
            restarted.stop()
        }
        let text = lines.joined(separator: "\n")
        #expect(text.contains("paired with A4:C1:38:00:00:01"))
        for record in mgmt.records where record.hasPrefix("KEY ") {
            let value = String(record.split(separator: " ")[3])
            #expect(!text.contains(value), "a key in the log")
        }
    }

    /// Learned from the kernel (qemu boot test): an adapter that is removed and comes back
    /// (hotplug) starts with no keys and not bondable, and the mgmt channel, which stays open,
    /// only hears Index Added. Without setting it up again a bonded cuff cannot encrypt.
    @Test("an adapter that comes back (Index Added) is set up again with the kept keys")
    func adapterBackGetsKeysAgain() throws {
        let hci = try HCISimulator()
        let mgmt = try MgmtSimulator(delay: 0.2)
        let rig = try pairingRig(["ble.enabled": "true", "ble.adapter": hci.path, "ble.mgmt_socket": mgmt.path])
        let (loop, registry) = (rig.loop, rig.commands)
        let service = try started(rig, hci: hci)
        #expect(loop.run(timeout: 5) { mgmt.loaded("irk").count == 1 })
        #expect(status(bcms(registry, ["pair", "--address", "A4:C1:38:00:00:01"], loop: loop).reply) == true)
        let ltk = try #require(mgmt.longTermKey("A4:C1:38:00:00:01"))

        mgmt.send("readd")
        #expect(loop.run(timeout: 5) { mgmt.loaded("ltk").count == 2 })
        #expect(mgmt.loaded("ltk").last == "LOADED ltk 1 A4:C1:38:00:00:01=" + ltk)
        #expect(mgmt.commands.filter { $0.hasPrefix("0009") }.count == 2, "bondable again")
        #expect(service.stateJSON()["pairing"]?["adapter_returns"]?.intValue == 1)
        // The kernel has the key again: pairing once more is "already paired", not a new pairing.
        let again = bcms(registry, ["pair", "--address", "A4:C1:38:00:00:01"], loop: loop).reply
        #expect(status(again) == false && firstError(again).contains("already paired"), "\(String(describing: again))")
        rig.stop()
    }

    /// Learned from the kernel (qemu boot test): Debian's 6.1 asks the initiating side of a
    /// Just Works pairing for a confirmation too, and waits for it until SMP times out.
    @Test("a Just Works confirmation request during `bcms pair` is answered yes, and the pairing completes")
    func justWorksConfirmation() throws {
        let hci = try HCISimulator()
        let mgmt = try MgmtSimulator(delay: 0.2, fault: "confirm")
        let rig = try pairingRig(["ble.enabled": "true", "ble.adapter": hci.path, "ble.mgmt_socket": mgmt.path])
        let (loop, registry) = (rig.loop, rig.commands)
        _ = try started(rig, hci: hci)
        let paired = bcms(registry, ["pair", "--address", "A4:C1:38:00:00:01"], loop: loop).reply
        #expect(status(paired) == true, "\(String(describing: paired))")
        #expect(mgmt.records.contains("CONFIRM A4:C1:38:00:00:01 yes"))
        #expect(mgmt.longTermKey("A4:C1:38:00:00:01") != nil)
        rig.stop()
    }

    @Test("authentication failure: status false with the kernel's reason; nothing kept")
    func authenticationFailure() throws {
        let hci = try HCISimulator()
        let mgmt = try MgmtSimulator(delay: 0.3, fault: "auth")
        let rig = try pairingRig(["ble.enabled": "true", "ble.adapter": hci.path, "ble.mgmt_socket": mgmt.path])
        let (store, loop, registry) = (rig.store, rig.loop, rig.commands)
        let service = try started(rig, hci: hci)
        let reply = bcms(registry, ["pair", "--address", "A4:C1:38:00:00:01"], loop: loop).reply
        #expect(status(reply) == false)
        #expect(firstError(reply).contains("authentication failed"), "\(String(describing: reply))")
        #expect(service.stateJSON()["pairing"]?["auth_failures"]?.intValue == 1)
        #expect(store.secretValue(BLEConfigKeys.pairingKeys).isEmpty)
        // A device that does not bond: paired for now, nothing to keep.
        mgmt.send("fault nobond")
        loop.run(timeout: 0.3) { false }
        #expect(status(bcms(registry, ["pair", "--address", "A4:C1:38:00:00:01"], loop: loop).reply) == true)
        #expect(!service.pairing.isPaired(BLEAddress("A4:C1:38:00:00:01")!))
        #expect(service.stateJSON()["pairing"]?["keys_not_kept"]?.intValue == 1)
    }

    @Test("a pairing that never finishes times out: the caller gets a failure and the kernel a Cancel Pair Device")
    func timeoutCancels() throws {
        let hci = try HCISimulator()
        let mgmt = try MgmtSimulator(fault: "silent")
        let rig = try pairingRig(["ble.enabled": "true", "ble.adapter": hci.path, "ble.mgmt_socket": mgmt.path,
                           "ble.pair_timeout_s": "2"])
        let (loop, registry) = (rig.loop, rig.commands)
        let service = try started(rig, hci: hci)
        var first: CommandReply?
        let start = Date()
        registry.execute("bcms", CommandRequest(origin: .console, arguments: ["pair", "A4:C1:38:00:00:01"])) { first = $0 }
        #expect(first == nil, "a pairing answers later")
        // One pairing per device at a time.
        let second = bcms(registry, ["pair", "A4:C1:38:00:00:01"], loop: loop, timeout: 1).reply
        #expect(status(second) == false && firstError(second).contains("already in progress"), "\(String(describing: second))")
        #expect(loop.run(timeout: 5) { first != nil })
        #expect(Date().timeIntervalSince(start) >= 1.9)
        #expect(status(first) == false)
        #expect(firstError(first).contains("no answer within 2 s"), "\(String(describing: first))")
        #expect(loop.run(timeout: 3) { mgmt.records.contains("CANCEL A4:C1:38:00:00:01") })
        // The kernel then completes the pairing as cancelled: a stray, counted, harmless.
        #expect(loop.run(timeout: 3) { service.stateJSON()["pairing"]?["unmatched_replies"]?.intValue == 1 })
        // The Cancel Pair Device's own reply may come after the stray one.
        #expect(loop.run(timeout: 3) { service.stateJSON()["pairing"]?["pending"]?.intValue == 0 })
    }

    @Test("an HCI UART controller without a mgmt channel: pairing says it needs a kernel adapter")
    func uartAdapterCannotPair() throws {
        let hci = try HCISimulator()
        let rig = try pairingRig(["ble.enabled": "true", "ble.adapter": hci.path])
        let (loop, registry) = (rig.loop, rig.commands)
        _ = try started(rig, hci: hci)
        let reply = bcms(registry, ["pair", "--address", "A4:C1:38:00:00:01"], loop: loop).reply
        #expect(status(reply) == false)
        #expect(firstError(reply).contains("pairing needs a kernel adapter"), "\(String(describing: reply))")
        #expect(firstError(reply).contains(hci.path))
        let isPaired = bcms(registry, ["is_paired", "--address", "A4:C1:38:00:00:01"], loop: loop).reply
        #expect(status(isPaired) == false && isPaired?.output.json["errors"]?.arrayValue?.isEmpty == true)
        let bad = bcms(registry, ["pair", "--address", "nope"], loop: loop).reply
        #expect(firstError(bad).contains("not a MAC address"))
    }
}
