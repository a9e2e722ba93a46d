import Crypto
import Foundation
import JSON
import OTA
import TestSupport
import Testing

/// The whole update path with real processes: `switchyard supervise` running the gateway,
/// a real mosquitto, `switchyard ota push` (or a hand-driven sender for what the push tool
/// would never send), and the slots and state record on disk.
@Suite struct OTAEndToEndTests {
    static let crashAtStart = "int main(void) { return 3; }\n"
    static let hangAtStart = "#include <unistd.h>\nint main(void) { for (;;) pause(); }\n"

    /// Pushes 0.2.0 and waits for the supervisor to have committed it.
    func installVersion2(_ gateway: OTAGatewayFixture) throws {
        let v2 = try gateway.patchedGateway(version: "0.2.0")
        let result = try gateway.push(v2)
        #expect(result.status == 0, "push failed: \(result.stderr)\n\(gateway.log)")
        #expect(result.stdout.contains("runs 0.2.0 and has committed it"))
        let record = try gateway.record()
        #expect(record.active == .a && !record.trial && record.slotA.status == .good && record.slotA.version == "0.2.0")
    }

    @Test func pushedUpdateRunsCommittedAndBadImagesChangeNothing() throws {
        let gateway = try OTAGatewayFixture()
        try gateway.startSupervisor()
        #expect(gateway.waitForLog("slot factory reported healthy"), "\(gateway.log)")
        try installVersion2(gateway)
        #expect(gateway.waitForStatus { $0["state"]?.stringValue == "committed" && $0["running"]?.stringValue == "0.2.0" } != nil)
        #expect(gateway.log.contains("switchyard 0.2.0 (x86_64) starting") || gateway.log.contains("switchyard 0.2.0 ("))
        let committed = try gateway.record()

        // Each of these is refused with its reason; the running 0.2.0 in slot a stays.
        func expectRefused(_ result: ProcessResult, _ reason: String) {
            #expect(result.status == 1, "expected a refusal: \(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains(reason), "stderr: \(result.stderr)")
            let status = gateway.status()
            #expect(status?["state"]?.stringValue == "refused")
            #expect(status?["reason"]?.stringValue?.contains(reason) == true, "status: \(String(describing: status))")
            #expect(status?["running"]?.stringValue == "0.2.0")
        }
        let stranger = gateway.work.file("stranger")
        _ = try ChildProcess.run(OTAGatewayFixture.binary, ["ota", "keygen", "--out", stranger])
        expectRefused(try gateway.push(try gateway.patchedGateway(version: "0.3.0"), key: stranger), "bad signature")
        expectRefused(try gateway.push(OTAGatewayFixture.binary.path), "is not newer than the running 0.2.0")
        expectRefused(try gateway.push(try gateway.patchedGateway(version: "0.4.0", machine: 183)),
                      "wrong architecture: the image is for aarch64")

        // What `ota push` would never send: a chunk changed on the way, a manifest whose
        // SHA-256 does not match the image. Both are caught before anything switches.
        let key = try gateway.signingKey()
        let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try gateway.patchedGateway(version: "0.5.0"))))
        let manifest = OTAManifest(version: OTAVersion("0.5.0")!, architecture: ELFHeader.hostArchitecture,
                                   size: image.count, sha256: SHA256.hash(image), chunkSize: 65536).signed(by: key)
        var tampered = image
        tampered[image.count / 2] ^= 0x5a
        try gateway.sendByHand(manifest: manifest, image: tampered, chunks: 0..<manifest.chunkCount)
        let afterTamper = gateway.waitForStatus { $0["state"]?.stringValue == "refused" && $0["version"]?.stringValue == "0.5.0" }
        #expect(afterTamper?["reason"]?.stringValue?.hasPrefix("SHA-256 mismatch") == true, "\(String(describing: afterTamper))")

        var wrongDigest = manifest
        wrongDigest.version = OTAVersion("0.5.1")!
        wrongDigest.sha256 = SHA256.hash(Array("something else".utf8))
        wrongDigest = wrongDigest.signed(by: key)
        try gateway.sendByHand(manifest: wrongDigest, image: image, chunks: 0..<wrongDigest.chunkCount)
        let afterDigest = gateway.waitForStatus { $0["state"]?.stringValue == "refused" && $0["version"]?.stringValue == "0.5.1" }
        #expect(afterDigest?["reason"]?.stringValue?.hasPrefix("SHA-256 mismatch") == true)

        let record = try gateway.record()
        #expect(record.active == committed.active && record.slotA == committed.slotA && !record.trial)
        #expect(record.slotB.status != .trial && record.slotB.status != .good)
        #expect(gateway.log.components(separatedBy: "supervise: started slot a").count - 1 == 1,
                "the gateway restarted after a refused update")
    }

    @Test func updateThatCrashesAtStartIsRolledBack() throws {
        let gateway = try OTAGatewayFixture()
        try gateway.startSupervisor()
        #expect(gateway.waitForLog("slot factory reported healthy"))
        try installVersion2(gateway)
        let crashing = try gateway.compiled("crash", OTAEndToEndTests.crashAtStart)
        let result = try gateway.push(crashing, ["--version", "0.3.0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("rolled_back"), "\(result.stderr)\n\(gateway.log)")
        #expect(result.stderr.contains("crashed 3 times during its trial"))
        let record = try gateway.record()
        #expect(record.active == .a && record.slotA.version == "0.2.0" && record.slotB.status == .bad && record.rolledBack)
        #expect(gateway.waitForStatus { $0["state"]?.stringValue == "rolled_back" && $0["running"]?.stringValue == "0.2.0" } != nil)
    }

    @Test func updateThatNeverReportsHealthyIsRolledBackAfterItsTrial() throws {
        let gateway = try OTAGatewayFixture(trialSeconds: 10)
        try gateway.startSupervisor()
        #expect(gateway.waitForLog("slot factory reported healthy"))
        let hanging = try gateway.compiled("hang", OTAEndToEndTests.hangAtStart)
        let result = try gateway.push(hanging, ["--version", "0.3.0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("did not report healthy within 10 s"), "\(result.stderr)\n\(gateway.log)")
        let record = try gateway.record()
        #expect(record.active == .factory && record.slotA.status == .bad && record.rolledBack)
    }

    @Test func transferResumesAfterTheGatewayIsKilledAndTheBrokerRestarts() throws {
        let gateway = try OTAGatewayFixture()
        try gateway.startSupervisor()
        #expect(gateway.waitForLog("slot factory reported healthy"))
        let v2 = try gateway.patchedGateway(version: "0.2.0")
        let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: v2)))
        let manifest = OTAManifest(version: OTAVersion("0.2.0")!, architecture: ELFHeader.hostArchitecture,
                                   size: image.count, sha256: SHA256.hash(image),
                                   chunkSize: OTAManifest.defaultChunkSize).signed(by: try gateway.signingKey())
        let half = manifest.chunkCount / 2
        try gateway.sendByHand(manifest: manifest, image: image, chunks: 0..<half)
        #expect(gateway.waitForStatus { $0["state"]?.stringValue == "receiving" && ($0["percent"]?.intValue ?? 0) >= 40 } != nil)
        // Power-cut style: the gateway dies without a word; the supervisor starts it again.
        let pid = try #require(gateway.gatewayPID)
        kill(pid, SIGKILL)
        #expect(gateway.waitForLog("resuming the transfer of 0.2.0"), "\(gateway.log)")
        // And the broker goes away and comes back.
        gateway.broker.stop()
        try gateway.broker.start()

        let result = try gateway.push(v2)
        #expect(result.status == 0, "\(result.stderr)\n\(gateway.log)")
        // Only what was missing went out again.
        let sent = result.stdout.components(separatedBy: "(sent ").last?.split(separator: " ").first.flatMap { Int($0) }
        #expect(sent != nil && sent! < manifest.chunkCount && sent! > 0, "\(result.stdout)")
        #expect(try gateway.record().slotA.status == .good)
    }

    @Test func killedAroundTheSlotSwitchStillBoots() throws {
        let gateway = try OTAGatewayFixture()
        try gateway.startSupervisor()
        #expect(gateway.waitForLog("slot factory reported healthy"))
        let observer = try MQTTObserver(port: gateway.broker.port, topics: ["switchyard/\(gateway.node)/ota/status"])
        let v2 = try gateway.patchedGateway(version: "0.2.0")
        let push = try Subprocess(OTAGatewayFixture.binary.path,
                                  ["ota", "push", "--file", v2, "--key", gateway.keyPath, "--node", gateway.node,
                                   "--broker", "127.0.0.1:\(gateway.broker.port)", "--timeout", "90"])
        // The moment the new slot is recorded as active, supervisor and gateway both die.
        #expect(observer.wait(timeout: 30) { $0.contains { $0.contains("\"state\":\"installed\"") } })
        gateway.supervisor?.signal(SIGKILL)
        if let pid = gateway.gatewayPID { kill(pid, SIGKILL) }
        _ = gateway.supervisor?.wait(timeout: 5)
        let afterCut = try gateway.record()
        #expect(afterCut.active == .a && afterCut.slotA.isBootable)
        try gateway.startSupervisor()
        let outcome = push.wait(timeout: 60)
        #expect(outcome?.status == 0, "\(gateway.log)")
        #expect(try gateway.record().slotA.status == .good)
    }

    @Test func gatewayWithoutSupervisorRefusesUpdates() throws {
        let fixture = try OTAGatewayFixture()
        // The same data directory and settings, but `switchyard run` on its own.
        let gateway = try GatewayProcess(broker: fixture.broker, node: fixture.node, data: fixture.data)
        #expect(gateway.waitForLog("connected to"), "\(gateway.log)")
        let result = try fixture.push(try fixture.patchedGateway(version: "0.2.0"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("without `switchyard supervise`"), "\(result.stderr)")
        #expect(try fixture.record().active == .factory)
        gateway.process.signal(SIGTERM)
        _ = gateway.process.wait(timeout: 10)
    }
}
