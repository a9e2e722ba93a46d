import Crypto
import Foundation
import JSON
@testable import OTA
import Runtime
import ServiceKit
import Store
import TestSupport
import ServiceTestSupport
import Testing
import Uplink

/// An OTA service in this process, with its real MQTT client on a real broker and its state
/// record on disk, fed manifests directly: for what must hold however fast they come.
final class OTAServiceRig {
    let rig: ServiceRig
    let key: Ed25519.PrivateKey
    let context: ServiceContext
    let service: OTAService
    var broker: MosquittoBroker { rig.broker! }
    var loop: EventLoop { rig.loop }
    var paths: OTAPaths { OTAPaths(dataDirectory: rig.directory.path) }

    /// A service running `slot` (version `version`) over `record`, built by hand for its slot
    /// and supervision.
    init(slot: OTASlot, version: String, record: OTAStateRecord) throws {
        key = try Ed25519.PrivateKey.generate()
        rig = try ServiceRig(descriptor: OTAService.descriptor(version: version),
                             settings: [OTAConfigKeys.publicKeys.name: Hex.encode(key.publicKey.raw)], node: testNode)
        try OTAStateStore(paths: OTAPaths(dataDirectory: rig.directory.path)).update { $0 = record }
        context = rig.context()
        service = OTAService(context: context, builtVersion: version, runningSlot: slot, isSupervised: true)
        try service.start()
    }

    deinit { service.stop() }

    func record() throws -> OTAStateRecord { try OTAStateStore(paths: paths).load() }
}

@Suite struct OTAServiceTests {
    /// Slot a on trial with 0.2.0, as the supervisor leaves it after an update.
    static var onTrial: OTAStateRecord {
        var record = OTAStateRecord()
        record.active = .a
        record.previous = .factory
        record.trial = true
        record.trialStarts = 1
        record.slotA = OTASlotInfo(status: .trial, version: "0.2.0", sha256: String(repeating: "a", count: 64))
        record.lastSerial = 1_796_083_200_000
        return record
    }

    // Issue 20, item 8: manifests arriving during a trial moved the status out of "trial", so
    // "committed" was never published and the push reported a failure for an update that
    // had succeeded.
    @Test func manifestsDuringATrialChangeNothingAndTheCommitIsStillPublished() throws {
        let rig = try OTAServiceRig(slot: .a, version: "0.2.0", record: OTAServiceTests.onTrial)
        let observer = try MQTTObserver(port: rig.broker.port, topics: ["switchyard/\(testNode)/ota/status"])
        #expect(rig.service.status.state == .trial)
        let before = try rig.record()
        let image = testImage()
        for index in 0..<50 {
            let payload = index % 2 == 0 ? Array("not a manifest \(index)".utf8)
                : payload(manifest(for: image, version: "0.3.\(index)", key: rig.key))
            rig.service.handleManifest(payload)
        }
        #expect(rig.service.stats.refused == 50)
        #expect(rig.service.status.state == .trial)
        #expect(try rig.record() == before, "the trial's record was written")
        // Each sender heard why, without the retained status changing.
        #expect(rig.loop.run(timeout: 10) { observer.lines.filter { $0.contains("still on trial") }.count == 25 })

        // The supervisor commits: the service follows and says so.
        try OTAStateStore(paths: rig.paths).update { SlotSupervisorPolicy.recordHealthy(&$0, slot: .a) }
        #expect(rig.loop.run(timeout: 5) { rig.service.status.state == .committed })
        #expect(rig.loop.run(timeout: 5) { observer.lines.contains { $0.contains("\"state\":\"committed\"") } })
        let retained = try MQTTTool.retained(port: rig.broker.port, topic: "switchyard/\(testNode)/ota/status")
        #expect(retained?.contains("\"state\":\"committed\"") == true, "\(String(describing: retained))")
    }

    // Issue 20, item 7: each refused manifest rewrote state.json (with fsync, on the loop)
    // and logged a warning: 10,000 manifests wrote 42.7 MB and 1.5 MB of log.
    @Test func aFloodOfRefusedManifestsIsCountedAndWritesLittle() throws {
        var record = OTAStateRecord()
        record.lastSerial = 1_796_083_200_000
        let rig = try OTAServiceRig(slot: .factory, version: "0.1.0", record: record)
        let generation = try rig.record().generation
        let stranger = try Ed25519.PrivateKey.generate()
        let forged = payload(manifest(for: testImage(size: 5000), version: "0.2.0", key: stranger))
        let started = Date()
        let (_, lines) = LogCapture.lines {
            for index in 0..<10_000 {
                rig.service.handleManifest(index % 2 == 0 ? forged : Array("{\"version\":\(index)}".utf8))
                if index % 1000 == 999 { _ = rig.loop.run(timeout: 0.01) { false } }
            }
            // Whatever is pending is written within the next second: wait for the last refusal's record.
            _ = rig.loop.run(timeout: 3) { (try? rig.record().lastFailure.hasPrefix("invalid manifest")) == true }
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(rig.service.stats.refused == 10_000)
        let writes = try rig.record().generation - generation
        #expect(writes >= 1 && Double(writes) <= seconds + 2, "\(writes) record writes in \(seconds) s")
        #expect(try rig.record().lastFailure.hasPrefix("invalid manifest"))
        let warnings = lines.filter { $0.contains("update refused") }
        #expect(warnings.count >= 1 && Double(warnings.count) <= seconds / 10 + 2, "\(warnings.count) lines in \(seconds) s")
        #expect(warnings.last?.contains("more of this kind") == true)
    }
}

/// Issue 21, item 8: a record the update depends on that cannot be written stops the
/// update, says so with what to do, and changes nothing about which firmware boots.
@Suite struct OTARecordWriteFailureTests {
    @Test(arguments: ["state.json", "transfer.json"])
    func aRecordThatCannotBeWrittenStopsTheUpdateAndSaysWhatToDo(_ file: String) throws {
        let rig = try OTAServiceRig(slot: .factory, version: "0.1.0", record: OTAStateRecord())
        let before = try rig.record()
        let image = testImage()
        let signed = manifest(for: image, version: "0.2.0", key: rig.key)
        let topics = OTATopics(prefix: "switchyard/" + testNode)
        let (_, lines) = LogCapture.lines {
            rig.service.handleManifest(payload(signed))
            #expect(rig.service.status.state == .receiving)
            #expect(rig.context.attention == .updating)
            // Something in the way of the record's temporary file: every write of it fails
            // (a directory, because root writes into a read-only directory all the same).
            let blocked = rig.paths.directory + "/" + file + ".tmp"
            try? FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false)
            for index in 0..<signed.chunkCount {
                rig.service.handleChunk(MQTTMessage(topic: topics.chunk(index), payload: chunk(image, index), qos: 1,
                                                    retain: false))
            }
            _ = rig.loop.run(timeout: 10) { rig.service.status.state == .failed }
        }
        let status = rig.service.status
        #expect(status.state == .failed, "\(status)")
        #expect(status.reason.hasPrefix("cannot write " + rig.paths.directory + "/" + file), "\(status.reason)")
        #expect(status.reason.contains("the update is stopped"))
        #expect(status.reason.contains("full or read-only: free space or make it writable, then push the update again"))
        #expect(lines.contains { $0.contains("update failed: cannot write") }, "\(lines)")
        #expect(rig.context.attention == .none, "the LED no longer shows an update")
        // Which firmware boots is as it was: the factory one, nothing on trial, the slot not a candidate.
        let record = try rig.record()
        #expect(record.active == before.active && !record.trial && record.previous == before.previous)
        #expect(record.slotA.status != .trial && record.slotA.status != .good)
        #expect(rig.service.receiver?.transfer == nil)
        #expect(!FileManager.default.fileExists(atPath: rig.paths.binary(.a)!))
    }
}
