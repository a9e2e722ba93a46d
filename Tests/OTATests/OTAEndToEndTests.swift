import Crypto
import Foundation
import JSON
import OTA
import Runtime
import TestSupport
import Testing

/// The whole update path with real processes: `switchyard supervise` running the gateway,
/// a real mosquitto, `switchyard ota push` (or a hand-driven sender for what the push tool
/// would never send), and the slots and state record on disk.
@Suite struct OTAEndToEndTests {
    static let crashAtStart = "int main(void) { return 3; }\n"
    /// A firmware that reports healthy to its supervisor and crashes 200 ms later (as the
    /// gateway did on a MySkoda token whose `exp` trapped).
    static let crashAfterHealthy = "#include <unistd.h>\nint main(void) { write(3, \"healthy\\n\", 8); "
        + "usleep(200000); return 3; }\n"
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
        expectRefused(try gateway.push(OTAGatewayFixture.binary.path), "is older than the running 0.2.0")
        // Issue 20, item 4: `--force` no longer means "older allowed".
        expectRefused(try gateway.push(OTAGatewayFixture.binary.path, ["--force"]), "is older than the running 0.2.0")
        expectRefused(try gateway.push(try gateway.patchedGateway(version: "0.4.0", machine: 183)),
                      "wrong architecture: the image is for aarch64")

        // What `ota push` would never send: a manifest whose SHA-256 does not match the image
        // (its chunks match their digests). Caught before anything switches.
        let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try gateway.patchedGateway(version: "0.5.1"))))
        var wrongDigest = try gateway.manifest(for: image, version: "0.5.1")
        wrongDigest.sha256 = SHA256.hash(Array("something else".utf8))
        wrongDigest = wrongDigest.signed(by: try gateway.signingKey())
        try gateway.sendByHand(manifest: wrongDigest, image: image, chunks: 0..<wrongDigest.chunkCount)
        let afterDigest = gateway.waitForStatus { $0["state"]?.stringValue == "refused" && $0["version"]?.stringValue == "0.5.1" }
        #expect(afterDigest?["reason"]?.stringValue?.hasPrefix("SHA-256 mismatch") == true)
        // Issue 20, item 12: the refused image does not stay on the data partition.
        #expect(!FileManager.default.fileExists(atPath: gateway.paths.binary(.b)!))

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
        let manifest = try gateway.manifest(for: image, version: "0.2.0", chunkSize: OTAManifest.defaultChunkSize)
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

    // Issue 20, item 3: a gateway that reported healthy and crashed a moment later was
    // restarted every second (39 crashes in 40 s). The backoff now grows until a run has
    // stayed healthy for ota.stable_s.
    @Test func aGatewayThatCrashesSoonAfterReportingHealthyIsRestartedWithAGrowingBackoff() throws {
        let gateway = try OTAGatewayFixture(stableSeconds: 5)
        let flaky = try gateway.compiled("flaky", OTAEndToEndTests.crashAfterHealthy)
        try gateway.startSupervisor(factory: flaky)
        #expect(gateway.waitForLog("restarting in 4000 ms", timeout: 30), "\(gateway.log)")
        let delays = gateway.log.split(separator: "\n").compactMap { line -> Int? in
            guard let range = line.range(of: "restarting in ") else { return nil }
            return Int(line[range.upperBound...].split(separator: " ").first ?? "")
        }
        #expect(Array(delays.prefix(3)) == [1000, 2000, 4000], "\(gateway.log)")
    }

    // ... and on trial such a crash counts towards the rollback: the slot is committed only
    // once it has stayed healthy for ota.stable_s.
    @Test func anUpdateThatCrashesSoonAfterReportingHealthyIsRolledBack() throws {
        let gateway = try OTAGatewayFixture(stableSeconds: 5)
        try gateway.startSupervisor()
        #expect(gateway.waitForLog("slot factory reported healthy"))
        let flaky = try gateway.compiled("flaky", OTAEndToEndTests.crashAfterHealthy)
        let result = try ChildProcess.run(OTAGatewayFixture.binary,
                                          ["ota", "push", "--file", flaky, "--key", gateway.keyPath, "--node", gateway.node,
                                           "--broker", "127.0.0.1:\(gateway.broker.port)", "--timeout", "60",
                                           "--version", "0.2.0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("rolled_back") && result.stderr.contains("crashed 3 times during its trial"),
                "\(result.stderr)\n\(gateway.log)")
        let record = try gateway.record()
        #expect(record.active == .factory && record.slotA.status == .bad && record.rolledBack)
    }

    // Issue 20, item 4, the attacks of the issue run again: a manifest is bound to its node,
    // used once, and `--force` does not go back.
    @Test func replayedRetargetedAndForcedOlderManifestsAreRefused() throws {
        let gateway = try OTAGatewayFixture()
        try gateway.startSupervisor()
        #expect(gateway.waitForLog("slot factory reported healthy"))
        let wire = try MQTTObserver(port: gateway.broker.port, topics: ["switchyard/+/ota/manifest"])
        let status = try MQTTObserver(port: gateway.broker.port, topics: ["switchyard/\(gateway.node)/ota/status"])
        try installVersion2(gateway)
        let captured = try #require(wire.lines.last { $0.hasPrefix("switchyard/\(gateway.node)/ota/manifest ") })
        let replay = Array(captured.dropFirst("switchyard/\(gateway.node)/ota/manifest ".count).utf8)
        let v3 = try gateway.push(try gateway.patchedGateway(version: "0.3.0"))
        #expect(v3.status == 0, "\(v3.stderr)")

        // The forced push of an older version (what was captured and replayed in the issue).
        let forced = try gateway.push(OTAGatewayFixture.binary.path, ["--force"])
        #expect(forced.status == 1 && forced.stderr.contains("is older than the running 0.3.0"), "\(forced.stderr)")

        // The manifest that installed 0.2.0, replayed: its serial is spent.
        try gateway.publishManifests([replay])
        #expect(status.wait(timeout: 15) { $0.contains { $0.contains("\"reason\":\"replayed: serial") } }, "\(status.lines)")

        // A manifest signed for another node, captured on the way there and sent here.
        let other = try Subprocess(OTAGatewayFixture.binary.path,
                                   ["ota", "push", "--file", try gateway.patchedGateway(version: "0.4.0"), "--key",
                                    gateway.keyPath, "--node", "another-node", "--broker", "127.0.0.1:\(gateway.broker.port)",
                                    "--timeout", "20"])
        #expect(wire.wait(timeout: 15) { $0.contains { $0.hasPrefix("switchyard/another-node/ota/manifest ") } })
        other.signal(SIGTERM)
        _ = other.wait(timeout: 5)
        let foreign = try #require(wire.lines.last { $0.hasPrefix("switchyard/another-node/ota/manifest ") })
        try gateway.publishManifests([Array(foreign.dropFirst("switchyard/another-node/ota/manifest ".count).utf8)])
        #expect(status.wait(timeout: 15) {
            $0.contains { $0.contains("\"reason\":\"wrong target: the manifest is for node another-node") }
        }, "\(status.lines)")

        let record = try gateway.record()
        #expect(record.slotB.version == "0.3.0" && record.slotB.status == .good && record.active == .b)
    }

    @Test func pushTakesItsNewOptionsAndChecksThem() throws {
        let binary = OTAGatewayFixture.binary
        // Known options: what is missing is the image, not an understanding of the flag.
        let known = try ChildProcess.run(binary, ["ota", "push", "--downgrade", "--force", "--expires", "7d"])
        #expect(known.status != 0 && known.stderr.contains("push needs --file"), "\(known.stderr)")
        for bad in ["0", "59", "366d", "1y", "h", "-5m", "99999999999"] {
            let refused = try ChildProcess.run(binary, ["ota", "push", "--file", "x", "--key", "k", "--node", "n",
                                                        "--expires", bad])
            #expect(refused.status != 0 && refused.stderr.contains("--expires"), "\(bad): \(refused.stderr)")
        }
        let timeout = try ChildProcess.run(binary, ["ota", "push", "--file", "x", "--key", "k", "--node", "n",
                                                    "--timeout", "99999999999999"])
        #expect(timeout.status != 0 && timeout.stderr.contains("--timeout"), "\(timeout.stderr)")
    }

    // Issue 20, item 3: numbers from outside are range-checked. A status with an absurd
    // percent (anyone on the broker can publish one) overflowed the push's progress bar.
    @Test func pushSurvivesAStatusWithAnAbsurdPercent() throws {
        let gateway = try OTAGatewayFixture()
        let tiny = try gateway.compiled("tiny", "int main(void) { return 0; }\n")
        let sha = Hex.encode(SHA256.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: tiny)))))
        let wire = try MQTTObserver(port: gateway.broker.port, topics: ["switchyard/\(gateway.node)/ota/manifest"])
        let output = gateway.work.file("push.err")
        let push = try Subprocess(OTAGatewayFixture.binary.path,
                                  ["ota", "push", "--file", tiny, "--version", "0.2.0", "--key", gateway.keyPath, "--node",
                                   gateway.node, "--broker", "127.0.0.1:\(gateway.broker.port)", "--timeout", "30"],
                                  stderr: .file(output))
        #expect(wire.wait(timeout: 15) { !$0.isEmpty })
        let topic = "switchyard/\(gateway.node)/ota/status"
        try MQTTTool.publish(port: gateway.broker.port, topic: topic,
                             message: #"{"state":"receiving","percent":9.2e18,"sha256":"\#(sha)"}"#)
        try MQTTTool.publish(port: gateway.broker.port, topic: topic,
                             message: #"{"state":"refused","percent":-1e300,"sha256":"\#(sha)","reason":"a test"}"#)
        let outcome = push.wait(timeout: 20)
        let stderr = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(outcome?.killedBySignal == false && outcome?.status == 1, "\(String(describing: outcome)) \(stderr)")
        #expect(stderr.contains("refused: a test"), "\(stderr)")
    }

    // The serial `ota push` signs: above the one the gateway's status reports (its clock may
    // be behind), but a forged status far in the future cannot make it spend every serial.
    @Test func pushSignsAboveTheReportedSerialUnlessItIsForged() throws {
        let gateway = try OTAGatewayFixture()
        let tiny = try gateway.compiled("tiny", "int main(void) { return 0; }\n")
        let topic = "switchyard/\(gateway.node)/ota/status"
        func signedSerial(reported: Int) throws -> Int? {
            try MQTTTool.publish(port: gateway.broker.port, topic: topic,
                                 message: #"{"state":"idle","serial":\#(reported)}"#, retain: true)
            let wire = try MQTTObserver(port: gateway.broker.port, topics: ["switchyard/\(gateway.node)/ota/manifest"])
            let push = try Subprocess(OTAGatewayFixture.binary.path,
                                      ["ota", "push", "--file", tiny, "--version", "0.2.0", "--key", gateway.keyPath,
                                       "--node", gateway.node, "--broker", "127.0.0.1:\(gateway.broker.port)", "--timeout", "20"])
            defer { push.signal(SIGTERM); _ = push.wait(timeout: 5) }
            guard wire.wait(timeout: 15, until: { !$0.isEmpty }), let line = wire.lines.first,
                  let space = line.firstIndex(of: " ") else { return nil }
            return try OTAManifest.parse(Array(line[line.index(after: space)...].utf8)).serial
        }
        let ahead = Int(Date().timeIntervalSince1970 * 1000) + 600_000
        #expect(try signedSerial(reported: ahead) == ahead + 1)
        let forged = OTAManifest.maxSerial - 5
        let serial = try #require(try signedSerial(reported: forged))
        #expect(serial < Int(Date().timeIntervalSince1970 * 1000) + 86_400_000, "\(serial)")
    }

    // Issue 20, item 6: one wrong copy of a chunk (right size) used to ruin the update.
    @Test func aBadCopyOfAChunkThenAGoodOneStillUpdates() throws {
        let gateway = try OTAGatewayFixture()
        try gateway.startSupervisor()
        #expect(gateway.waitForLog("slot factory reported healthy"))
        let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try gateway.patchedGateway(version: "0.2.0"))))
        let manifest = try gateway.manifest(for: image, version: "0.2.0")
        let bad = manifest.chunkCount / 2
        var tampered = image
        tampered[bad * manifest.chunkSize + 10] ^= 0x5a
        try gateway.sendByHand(manifest: manifest, image: tampered, chunks: 0..<manifest.chunkCount)
        #expect(gateway.waitForStatus { $0["state"]?.stringValue == "receiving" && $0["percent"]?.intValue == 99 } != nil
                || gateway.status()?["state"]?.stringValue == "receiving", "\(String(describing: gateway.status()))")
        try gateway.sendByHand(manifest: manifest, image: image, chunks: bad..<(bad + 1))
        #expect(gateway.waitForStatus { $0["state"]?.stringValue == "committed" && $0["running"]?.stringValue == "0.2.0" } != nil,
                "\(String(describing: gateway.status()))\n\(gateway.log)")
        #expect(try gateway.record().slotA.status == .good)
    }

    // Issue 20, item 12: out of space, the record stayed "receiving" with no last failure,
    // and the slot file stayed.
    @Test(.enabled(if: OTAGatewayFixture.canMountTmpfs))
    func runningOutOfSpaceGivesTheTransferUpAndSaysWhy() throws {
        let gateway = try OTAGatewayFixture()
        try gateway.startSupervisorOnASmallPartition(bytes: 2 << 20)
        #expect(gateway.waitForLog("slot factory reported healthy"), "\(gateway.log)")
        let result = try gateway.push(try gateway.patchedGateway(version: "0.2.0"))
        #expect(result.status == 1 && result.stderr.contains("failed"), "\(result.stderr)")
        let paths = gateway.supervisorsPaths
        let record = try OTAStateStore(paths: paths).load()
        #expect(record.slotA.status == .empty, "\(record)")
        #expect(record.lastFailure.contains("No space left"), "\(record.lastFailure)")
        #expect(!FileManager.default.fileExists(atPath: paths.binary(.a)!))
        #expect(!FileManager.default.fileExists(atPath: paths.transfer))
        #expect(record.active == .factory)
    }

    // Issue 20, item 7: the log was rotated only when the service started.
    @Test func theSupervisorRotatesTheLogWhileTheGatewayRuns() throws {
        let gateway = try OTAGatewayFixture()
        let chatty = try gateway.compiled("chatty", """
            #include <stdio.h>
            #include <unistd.h>
            int main(void) {
                for (int i = 0; i < 3000; i++)
                    printf("line %05d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\n", i);
                fflush(stdout);
                write(3, "healthy\\n", 8);
                for (;;) pause();
            }
            """)
        let log = gateway.work.file("gateway.log")
        try gateway.startSupervisor(factory: chatty, ["--log", log, "--log-max", "65536"])
        func contents(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !contents(log).contains("line 02999") { usleep(50_000) }
        #expect(contents(log).contains("line 02999"), "\(contents(log).suffix(300)) \(gateway.log)")
        #expect(FileManager.default.fileExists(atPath: log + ".1"))
        for path in [log, log + ".1"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
            #expect(size > 0 && size <= 65536, "\(path): \(size) bytes")
            for line in contents(path).split(separator: "\n") {
                #expect(line.hasPrefix("line ") && line.count == 100 || line.contains(" supervise: "), "torn line: \(line)")
            }
        }
        // Rotated while the one gateway ran (it never ended), and nothing went elsewhere.
        #expect(!contents(log).contains("ended (") && !contents(log + ".1").contains("ended ("))
        #expect(gateway.log.isEmpty, "\(gateway.log)")
    }
}
