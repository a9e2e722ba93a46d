import Crypto
import Foundation
import JSON
import OTA
import Runtime
import TestSupport
import Testing

@Suite struct OTAReceiverTests {
    let key = try! Ed25519.PrivateKey.generate()
    let data = TemporaryDirectory(prefix: "ota")
    var paths: OTAPaths { OTAPaths(dataDirectory: data.path) }

    func receiver(version: String = "0.1.0", slot: OTASlot = .factory, node: String = testNode) -> OTAReceiver {
        OTAReceiver(paths: paths, keys: [key.publicKey], node: node, runningVersion: version, runningSlot: slot)
    }

    func send(_ image: [UInt8], to receiver: OTAReceiver, skipping: Set<Int> = []) throws {
        let transfer = try #require(receiver.transfer)
        for index in 0..<transfer.manifest.chunkCount where !skipping.contains(index) {
            #expect(try transfer.store(chunk: index, chunk(image, index)) == .stored)
        }
    }

    /// The reason `body` was refused with, nil when it was not.
    func refusal(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as OTAError { return error.description } catch { return "\(error)" }
        return nil
    }

    @Test func installsAVerifiedImageOnTrial() throws {
        let image = testImage()
        let receiver = receiver()
        let signed = manifest(for: image, version: "0.2.0", key: key)
        #expect(try receiver.accept(manifest: payload(signed)) == .started(.a))
        let receiving = try OTAStateStore(paths: paths).load()
        #expect(receiving.slotA.status == .receiving && receiving.lastSerial == signed.serial)
        try send(image, to: receiver)
        #expect(try receiver.makeCheck().run() == .passed)
        let record = try receiver.install()
        #expect(record.active == .a && record.trial && record.previous == .factory)
        #expect(record.slotA == OTASlotInfo(status: .trial, version: "0.2.0", sha256: Hex.encode(SHA256.hash(image))))
        #expect(FileManager.default.contents(atPath: paths.binary(.a)!) == Data(image))
        #expect(!FileManager.default.fileExists(atPath: paths.transfer))
        #expect(!FileManager.default.fileExists(atPath: paths.manifest))
    }

    @Test func refusesBadSignatureWrongArchitectureAndOlderVersions() throws {
        let image = testImage()
        let receiver = receiver(version: "0.2.0", slot: .a)
        var forged = manifest(for: image, version: "0.3.0", key: key)
        forged.signature[3] ^= 0x40
        #expect(throws: OTAError.refused("bad signature: the manifest is not signed by a configured OTA key")) {
            try receiver.accept(manifest: payload(forged))
        }
        let stranger = try Ed25519.PrivateKey.generate()
        #expect(throws: OTAError.self) {
            try receiver.accept(manifest: payload(manifest(for: image, version: "0.3.0", key: stranger)))
        }
        let foreign = manifest(for: image, version: "0.3.0", key: key, architecture: "riscv64")
        #expect(throws: OTAError.self) { try receiver.accept(manifest: payload(foreign)) }
        for version in ["0.1.9", "0.2.0"] {
            let old = manifest(for: image, version: version, key: key)
            #expect(throws: OTAError.self) { try receiver.accept(manifest: payload(old)) }
        }
        // Nothing was written for any of them.
        #expect(receiver.transfer == nil)
        #expect(!FileManager.default.fileExists(atPath: paths.binary(.b)!))
        #expect(try OTAStateStore(paths: paths).load().lastSerial == 0)
    }

    // Issue 20, item 4: `force` used to mean "older allowed" too, so a captured forced
    // manifest could downgrade. Now force reinstalls the same version only; older needs the
    // signed `downgrade`.
    @Test func forceReinstallsTheSameVersionButOnlyDowngradeGoesBack() throws {
        let image = testImage()
        let receiver = receiver(version: "0.2.0", slot: .a)
        let olderForced = manifest(for: image, version: "0.1.9", key: key, force: true)
        let why = refusal { try receiver.accept(manifest: payload(olderForced)) }
        #expect(why?.contains("older than the running 0.2.0") == true, "\(String(describing: why))")
        #expect(refusal { try receiver.accept(manifest: payload(manifest(for: image, version: "0.2.0", key: key))) }?
            .contains("is the running one") == true)
        #expect(try receiver.accept(manifest: payload(manifest(for: image, version: "0.2.0", key: key, force: true))) == .started(.b))
        let other = testImage()
        #expect(try receiver.accept(manifest: payload(manifest(for: other, version: "0.1.9", key: key, downgrade: true)))
            == .started(.b))
    }

    @Test func refusesAManifestSignedForAnotherNodeOrAGroup() throws {
        let image = testImage()
        let receiver = receiver()
        let elsewhere = manifest(for: image, version: "0.2.0", key: key, target: .node("garage"))
        #expect(refusal { try receiver.accept(manifest: payload(elsewhere)) }
            == "wrong target: the manifest is for node garage, this gateway is " + testNode)
        let group = manifest(for: image, version: "0.2.0", key: key, target: .group("kitchen"))
        #expect(refusal { try receiver.accept(manifest: payload(group)) }?.hasPrefix("wrong target") == true)
        #expect(receiver.transfer == nil)
        // Changing the target in the JSON breaks the signature.
        var retargeted = elsewhere
        retargeted.target = .node(testNode)
        #expect(refusal { try receiver.accept(manifest: payload(retargeted)) }?.hasPrefix("bad signature") == true)
    }

    @Test func refusesAReplayedSerialAndAnExpiredManifest() throws {
        let image = testImage()
        let first = manifest(for: image, version: "0.2.0", key: key)
        let receiver = receiver()
        #expect(try receiver.accept(manifest: payload(first)) == .started(.a))
        // Resent while it is in progress: the same transfer, not a replay.
        #expect(try receiver.accept(manifest: payload(first)) == .resumed)
        // After an abort (or once installed) the same manifest, or one signed earlier, is spent.
        try receiver.abandon(reason: "aborted by a command")
        #expect(refusal { try receiver.accept(manifest: payload(first)) }?.hasPrefix("replayed: serial") == true)
        let earlier = manifest(for: testImage(), version: "0.3.0", key: key, serial: first.serial - 1)
        #expect(refusal { try receiver.accept(manifest: payload(earlier)) }?.hasPrefix("replayed: serial") == true)

        let expired = manifest(for: image, version: "0.2.0", key: key, expires: nowSeconds() - 10)
        #expect(refusal { try receiver.accept(manifest: payload(expired)) }?.hasPrefix("expired") == true)
        #expect(try OTAStateStore(paths: paths).load().lastSerial == first.serial)
        #expect(try receiver.accept(manifest: payload(manifest(for: image, version: "0.2.0", key: key))) == .started(.a))
    }

    // A gateway without a set clock (1970) is not a reason to take any expiry: "now" is at
    // least the firmware's clock floor and the signing time of the last manifest taken.
    @Test func anUnsetClockStillRefusesWhatExpiredBeforeTheFloor() throws {
        let image = testImage()
        let receiver = receiver()
        let stale = manifest(for: image, version: "0.2.0", key: key, serial: 1, expires: OTAManifest.clockFloor - 1)
        #expect(refusal { try receiver.accept(manifest: payload(stale), now: 0) }?.contains("clock is not set") == true)
        let recent = manifest(for: image, version: "0.2.0", key: key)
        #expect(try receiver.accept(manifest: payload(recent), now: 0) == .started(.a))
        // Signed before the last accepted manifest's serial (its signing time) and expired by then.
        let older = manifest(for: testImage(), version: "0.3.0", key: key, serial: recent.serial + 1,
                             expires: recent.serial / 1000 - 60)
        #expect(refusal { try receiver.accept(manifest: payload(older), now: 0) }?.hasPrefix("expired") == true)
    }

    @Test func refusesATamperedChunkAndAWrongArchitectureImage() throws {
        let image = testImage()
        let receiver = receiver()
        // A manifest whose chunk digests describe the tampered image but whose SHA-256 is the
        // real one's: each chunk passes, the whole image does not.
        var tampered = image
        tampered[5000] ^= 0xff
        var lying = manifest(for: image, version: "0.2.0", key: key)
        lying.chunkDigests = OTAManifest.chunkDigests(of: tampered, chunkSize: 4096)
        try receiver.accept(manifest: payload(lying.signed(by: key)))
        try send(tampered, to: receiver)
        guard case .refused(let reason) = try receiver.makeCheck().run() else { Issue.record("accepted"); return }
        #expect(reason.hasPrefix("SHA-256 mismatch"))

        // A manifest that lies about the architecture: the ELF header is checked too.
        let arm = testImage(machine: ELFHeader.hostArchitecture == "aarch64" ? 62 : 183)
        try receiver.accept(manifest: payload(manifest(for: arm, version: "0.2.1", key: key)))
        try send(arm, to: receiver)
        guard case .refused(let why) = try receiver.makeCheck().run() else { Issue.record("accepted"); return }
        #expect(why.hasPrefix("wrong architecture"))
    }

    // Issue 20, item 6: the first copy of a chunk used to win, so one wrong chunk of the right
    // size ruined the update. Each chunk is now checked against its signed SHA-256 on arrival.
    @Test func aBadCopyOfAChunkIsRefusedAndAGoodCopyAfterItIsTaken() throws {
        let image = testImage()
        let receiver = receiver()
        try receiver.accept(manifest: payload(manifest(for: image, version: "0.2.0", key: key)))
        let transfer = try #require(receiver.transfer)
        var bad = chunk(image, 7)
        bad[100] ^= 0x01
        guard case .corrupt = try transfer.store(chunk: 7, bad) else { Issue.record("a bad copy was stored"); return }
        #expect(!transfer.bitmap.contains(7))
        try send(image, to: receiver)
        #expect(try receiver.makeCheck().run() == .passed)
    }

    @Test func resumesAfterARestartAskingOnlyForTheMissingChunks() throws {
        let image = testImage()
        let first = receiver()
        let signed = manifest(for: image, version: "0.2.0", key: key)
        try first.accept(manifest: payload(signed))
        try send(image, to: first, skipping: Set(30..<74))
        try first.transfer?.persist()

        let second = receiver()
        #expect(try second.resumeInterrupted())
        let transfer = try #require(second.transfer)
        #expect(transfer.bitmap.missingRanges(limit: 10) == [30...73])
        #expect(try second.accept(manifest: payload(signed)) == .resumed)
        // A new push of the same image (new serial, same chunks) carries on as well.
        #expect(try second.accept(manifest: payload(manifest(for: image, version: "0.2.0", key: key))) == .resumed)
        for index in 30..<74 { #expect(try transfer.store(chunk: index, chunk(image, index)) == .stored) }
        #expect(try transfer.store(chunk: 3, chunk(image, 3)) == .duplicate)
        #expect(transfer.bitmap.isComplete)
        #expect(try second.makeCheck().run() == .passed)
    }

    @Test func dropsChunksOfTheWrongLengthOrIndex() throws {
        let image = testImage()
        let receiver = receiver()
        try receiver.accept(manifest: payload(manifest(for: image, version: "0.2.0", key: key)))
        let transfer = try #require(receiver.transfer)
        #expect(try transfer.store(chunk: 0, [1, 2, 3]) != .stored)
        #expect(try transfer.store(chunk: 9999, chunk(image, 0)) != .stored)
        #expect(try transfer.store(chunk: -1, chunk(image, 0)) != .stored)
        #expect(transfer.bitmap.received == 0)
    }

    // Issue 20, item 12: a failed, aborted or refused transfer left its slot file behind.
    @Test func anAbandonedTransferLeavesNoSlotFileAndSaysWhy() throws {
        let image = testImage()
        let receiver = receiver()
        try receiver.accept(manifest: payload(manifest(for: image, version: "0.2.0", key: key)))
        try send(image, to: receiver, skipping: [3])
        #expect(FileManager.default.fileExists(atPath: paths.binary(.a)!))
        try receiver.abandon(reason: "aborted by a command")
        #expect(!FileManager.default.fileExists(atPath: paths.binary(.a)!))
        #expect(!FileManager.default.fileExists(atPath: paths.transfer))
        #expect(!FileManager.default.fileExists(atPath: paths.manifest))
        let record = try OTAStateStore(paths: paths).load()
        #expect(record.slotA.status == .empty && record.lastFailure == "aborted by a command")
    }

    @Test func stateRecordSurvivesARoundTripAndABrokenFileIsReported() throws {
        let store = OTAStateStore(paths: paths)
        let written = try store.update { record in
            record.active = .b
            record.trial = true
            record.slotB = OTASlotInfo(status: .trial, version: "1.0", sha256: "ab")
            record.lastSerial = 1_796_083_200_123
        }
        #expect(try store.load() == written)
        try Data("{\"active\":".utf8).write(to: URL(fileURLWithPath: paths.state))
        #expect(throws: OTAError.self) { try store.load() }
        #expect(try store.update(resetBroken: true) { _ in }.active == .factory)
    }

    // Records written before the serial existed must still boot their slot; numbers out of
    // range are a broken record, never a trap.
    @Test func aRecordWithoutASerialLoadsAndOutOfRangeNumbersAreRefused() throws {
        let old = #"{"active":"a","previous":"factory","trial":false,"trial_starts":0,"trial_crashes":0,"#
            + #""a":{"status":"good","version":"0.2.0","sha256":"ab"},"b":{"status":"empty","version":"","sha256":""},"#
            + #""rolled_back":false,"last_failure":"","generation":7}"#
        let record = try #require(OTAStateRecord(json: try JSONValue.parse(Array(old.utf8))))
        #expect(record.active == .a && record.lastSerial == 0)
        for (field, value) in [("generation", "9.3e18"), ("trial_crashes", "-1"), ("trial_starts", "1e300"),
                               ("last_serial", "9007199254740993"), ("last_serial", "-5")] {
            var object = try #require(try JSONValue.parse(Array(old.utf8)).objectValue)
            object[field] = try JSONValue.parse(Array(value.utf8))
            #expect(OTAStateRecord(json: .object(object)) == nil, "\(field) = \(value)")
        }
    }
}

extension OTAReceiverTests {
    // Issue 21, item 8: the stored manifest was parsed with `try?` and a failure went unsaid.
    @Test func aStoredManifestThatNoLongerParsesIsReportedAndItsRecordsRemoved() throws {
        let image = testImage()
        let first = receiver()
        try first.accept(manifest: payload(manifest(for: image, version: "0.2.0", key: key)))
        try send(image, to: first, skipping: Set(30..<74))
        try first.transfer?.persist()
        try Data(#"{"target":"node:\#(testNode)","serial":1,"expires":2}"#.utf8)
            .write(to: URL(fileURLWithPath: paths.manifest))

        let second = receiver()
        let why = refusal { try second.resumeInterrupted() }
        #expect(why?.hasPrefix("invalid manifest: ") == true, "\(String(describing: why))")
        #expect(second.transfer == nil)
        #expect(!FileManager.default.fileExists(atPath: paths.transfer))
        #expect(!FileManager.default.fileExists(atPath: paths.manifest))
        #expect(try second.resumeInterrupted() == false, "nothing is left to resume")
    }
}
