import Foundation
import JSON
import OTA
import TestSupport
import Testing

/// Issue 30, item 5 in the suite: ten supervised gateways of the host build on one
/// mosquitto, updated by `switchyard fleet rollout` through the broker alone.
@Suite struct FleetCampaignTests {
    static let crashAtStart = "int main(void) { return 3; }\n"

    @Test func aCampaignRollsOutInWavesReachesALateJoinerTakesADeltaAndHaltsOnABadImage() throws {
        let fleet = try FleetFixture(count: 10)
        for gateway in fleet.gateways { try gateway.start() }
        for gateway in fleet.gateways {
            #expect(gateway.waitForLog("slot factory reported healthy", timeout: 60), "\(gateway.node): \(gateway.log)")
        }
        // The late joiner: it reported once, then went offline (its last will says so).
        let late = fleet["gw-010"]
        late.stop()

        // The inventory, from the retained state and status topics.
        var members: [JSONValue] = []
        let deadline = Date().addingTimeInterval(20)
        repeat {
            let status = try fleet.fleet(["status", "--group", fleet.group, "--json"])
            #expect(status.status == 0, "\(status.stderr)")
            members = (try? JSONValue.parse(Array(status.stdout.utf8)))?.arrayValue ?? []
        } while (members.count < 10 || members.contains { $0["node"]?.stringValue == "gw-010" && $0["online"]?.boolValue != false }
                 || members.contains { ($0["slot"]?.stringValue ?? "").isEmpty }) && Date() < deadline
        #expect(members.count == 10, "\(members)")
        #expect(members.filter { $0["online"]?.boolValue == true }.count == 9)
        #expect(members.first { $0["node"]?.stringValue == "gw-010" }?["online"]?.boolValue == false)
        #expect(members.allSatisfy { $0["group"]?.stringValue == fleet.group && $0["slot"]?.stringValue == "factory" })
        let table = try fleet.fleet(["status", "--group", fleet.group])
        #expect(table.stdout.contains("10 gateways in group " + fleet.group), "\(table.stdout)")

        // Canary, then the waves, each after the one before committed. The first run is
        // interrupted once the second wave started; the second resumes from the retained
        // campaign state.
        let v2 = try fleet.stamped(version: "0.2.0")
        let options = ["--waves", "10,50,100%", "--max-failures", "20%"]
        let firstOut = fleet.work.file("rollout-1.out")
        let first = try Subprocess(FleetFixture.binary.path,
                                   ["fleet", "rollout", "--file", v2, "--key", fleet.keyPath, "--group", fleet.group,
                                    "--broker", "127.0.0.1:\(fleet.broker.port)"] + options,
                                   stdout: .file(firstOut), stderr: .file(fleet.work.file("rollout-1.err")))
        let interruptDeadline = Date().addingTimeInterval(60)
        while Date() < interruptDeadline,
              !((try? String(contentsOfFile: firstOut, encoding: .utf8)) ?? "").contains("wave 2/3") { usleep(50_000) }
        first.signal(SIGINT)
        #expect(first.wait(timeout: 10)?.status == 130)
        let rollout = try fleet.rollout(v2, options)
        #expect(rollout.status == 0, "\(rollout.stdout)\n\(rollout.stderr)")
        #expect(rollout.stdout.contains("resuming the campaign at wave 2 of 3"), "\(rollout.stdout)")
        let out = (try String(contentsOfFile: firstOut, encoding: .utf8)) + rollout.stdout
        #expect(out.contains("wave 1/3 (canary), 10%: gw-001\n"), "\(out)")
        #expect(out.contains("wave 2/3, 50%: gw-001, gw-002, gw-003, gw-004, gw-005\n"), "\(out)")
        #expect(out.contains("wave 3/3, 100%: the whole group"), "\(out)")
        let canaryCommitted = try #require(out.range(of: "gw-001: committed"), "\(out)")
        let wave2 = try #require(out.range(of: "wave 2/3"))
        let wave3 = try #require(out.range(of: "wave 3/3"))
        #expect(canaryCommitted.lowerBound < wave2.lowerBound, "the second wave started before the canary committed")
        let fifthCommitted = try #require(out.range(of: "gw-005: committed"), "\(out)")
        #expect(fifthCommitted.lowerBound < wave3.lowerBound && wave2.lowerBound < fifthCommitted.lowerBound)
        #expect(out.contains("done: 9 of 10 gateways run 0.2.0, 0 failed; offline, updating when they return: gw-010"),
                "\(out)")
        for gateway in fleet.gateways where gateway !== late {
            let record = try gateway.record()
            #expect(record.active == .a && record.slotA.status == .good && record.slotA.version == "0.2.0",
                    "\(gateway.node): \(record)")
        }
        let campaign = try MQTTTool.retained(port: fleet.broker.port, topic: "switchyard/fleet/\(fleet.group)/campaign")
        #expect(campaign?.contains("\"state\":\"done\"") == true, "\(campaign ?? "none")")

        // The late joiner comes back and takes the retained manifest and chunks by itself.
        #expect(try late.record().active == .factory)
        try late.start()
        #expect(late.waitForRecord(timeout: 90) { $0.active == .a && $0.slotA.status == .good && $0.slotA.version == "0.2.0" },
                "\(late.log)")

        // A minor version as a delta against 0.2.0: every gateway runs the base, fetches the
        // patch and rebuilds the image into slot b.
        let v21 = try fleet.stamped(version: "0.2.1")
        let delta = try fleet.rollout(v21, ["--patch-from", v2, "--patch-level", "3", "--waves", "50,100%",
                                            "--max-failures", "20%"])
        #expect(delta.status == 0, "\(delta.stdout)\n\(delta.stderr)")
        #expect(delta.stdout.contains("delta from " + v2), "\(delta.stdout)")
        #expect(delta.stdout.contains("done: 10 of 10 gateways run 0.2.1"), "\(delta.stdout)")
        for gateway in fleet.gateways {
            #expect(gateway.log.contains("rebuilt 0.2.1 from a delta of"), "\(gateway.node): \(gateway.log)")
            let record = try gateway.record()
            #expect(record.active == .b && record.slotB.status == .good && record.slotB.version == "0.2.1")
        }

        // A bad image: the canary rolls it back, the campaign halts by itself and withdraws
        // the manifest; nobody else ever receives it.
        let bad = try fleet.compiled("crash", FleetCampaignTests.crashAtStart)
        let halted = try fleet.rollout(bad, ["--version", "0.3.0", "--waves", "10,100%", "--max-failures", "5%"])
        #expect(halted.status == 3, "\(halted.stdout)\n\(halted.stderr)")
        #expect(halted.stderr.contains("halted: 1 of 10 gateways failed (gw-001), more than 5%"), "\(halted.stderr)")
        #expect(!halted.stdout.contains("wave 2/2"))
        let canary = try fleet["gw-001"].record()
        #expect(canary.rolledBack && canary.active == .b && canary.slotB.version == "0.2.1" && canary.slotA.status == .bad)
        for gateway in fleet.gateways where gateway.node != "gw-001" {
            let record = try gateway.record()
            #expect(record.active == .b && record.slotA.version != "0.3.0", "\(gateway.node) received the halted image")
        }
        #expect(try MQTTTool.retained(port: fleet.broker.port, topic: "switchyard/fleet/\(fleet.group)/ota/manifest") == nil)
        // Run again, it says the campaign was halted rather than starting it over.
        let again = try fleet.rollout(bad, ["--version", "0.3.0", "--waves", "10,100%"])
        #expect(again.status == 3 && again.stderr.contains("was halted"), "\(again.stderr)")
        // The inventory shows the rollback.
        let after = try fleet.fleet(["status", "--group", fleet.group, "--json"])
        let canaryRow = (try? JSONValue.parse(Array(after.stdout.utf8)))?.arrayValue?.first { $0["node"]?.stringValue == "gw-001" }
        #expect(canaryRow?["update"]?.stringValue == "rolled_back", "\(after.stdout)")
        #expect(canaryRow?["last_rollback"]?.stringValue?.isEmpty == false)
    }
}
