import Crypto
import Foundation
import OTA
import TestSupport
import Testing

/// A small ELF-headed image for `machine`, with random bytes after the header.
func testImage(size: Int = 300_000, machine: UInt16 = ELFHeader.hostArchitecture == "aarch64" ? 183 : 62) -> [UInt8] {
    var bytes = (0..<size).map { _ in UInt8.random(in: 0...255) }
    bytes.replaceSubrange(0..<20, with: [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         3, 0, UInt8(machine & 0xff), UInt8(machine >> 8)])
    return bytes
}

func manifest(for image: [UInt8], version: String, key: Ed25519.PrivateKey, chunkSize: Int = 4096,
              architecture: String = ELFHeader.hostArchitecture, force: Bool = false) -> OTAManifest {
    OTAManifest(version: OTAVersion(version)!, architecture: architecture, size: image.count,
                sha256: SHA256.hash(image), chunkSize: chunkSize, force: force).signed(by: key)
}

func chunk(_ image: [UInt8], _ index: Int, size: Int = 4096) -> [UInt8] {
    Array(image[(index * size)..<min(image.count, (index + 1) * size)])
}

@Suite struct OTAReceiverTests {
    let key = try! Ed25519.PrivateKey.generate()
    let data = TemporaryDirectory(prefix: "ota")
    var paths: OTAPaths { OTAPaths(dataDirectory: data.path) }

    func receiver(version: String = "0.1.0", slot: OTASlot = .factory) -> OTAReceiver {
        OTAReceiver(paths: paths, keys: [key.publicKey], runningVersion: version, runningSlot: slot)
    }

    func send(_ image: [UInt8], to receiver: OTAReceiver, skipping: Set<Int> = []) throws {
        let transfer = try #require(receiver.transfer)
        for index in 0..<transfer.manifest.chunkCount where !skipping.contains(index) {
            #expect(try transfer.store(chunk: index, chunk(image, index)) == .stored)
        }
    }

    @Test func installsAVerifiedImageOnTrial() throws {
        let image = testImage()
        let receiver = receiver()
        let payload = Array(manifest(for: image, version: "0.2.0", key: key).json.serialized().utf8)
        #expect(try receiver.accept(manifest: payload) == .started(.a))
        #expect(try OTAStateStore(paths: paths).load().slotA.status == .receiving)
        try send(image, to: receiver)
        #expect(try receiver.makeCheck().run() == .passed)
        let record = try receiver.install()
        #expect(record.active == .a && record.trial && record.previous == .factory)
        #expect(record.slotA == OTASlotInfo(status: .trial, version: "0.2.0", sha256: Hex.encode(SHA256.hash(image))))
        #expect(FileManager.default.contents(atPath: paths.binary(.a)!) == Data(image))
        #expect(!FileManager.default.fileExists(atPath: paths.transfer))
    }

    @Test func refusesBadSignatureWrongArchitectureAndOlderVersions() throws {
        let image = testImage()
        let receiver = receiver(version: "0.2.0", slot: .a)
        var forged = manifest(for: image, version: "0.3.0", key: key)
        forged.signature[3] ^= 0x40
        #expect(throws: OTAError.refused("bad signature: the manifest is not signed by a configured OTA key")) {
            try receiver.accept(manifest: Array(forged.json.serialized().utf8))
        }
        let stranger = try Ed25519.PrivateKey.generate()
        #expect(throws: OTAError.self) {
            try receiver.accept(manifest: Array(manifest(for: image, version: "0.3.0", key: stranger).json.serialized().utf8))
        }
        let foreign = manifest(for: image, version: "0.3.0", key: key, architecture: "riscv64")
        #expect(throws: OTAError.self) { try receiver.accept(manifest: Array(foreign.json.serialized().utf8)) }
        for version in ["0.1.9", "0.2.0"] {
            let old = manifest(for: image, version: version, key: key)
            #expect(throws: OTAError.self) { try receiver.accept(manifest: Array(old.json.serialized().utf8)) }
        }
        // Nothing was written for any of them.
        #expect(receiver.transfer == nil)
        #expect(!FileManager.default.fileExists(atPath: paths.binary(.b)!))
        // Forced, an older version is taken.
        let forced = manifest(for: image, version: "0.1.9", key: key, force: true)
        #expect(try receiver.accept(manifest: Array(forced.json.serialized().utf8)) == .started(.b))
    }

    @Test func refusesATamperedChunkAndAWrongArchitectureImage() throws {
        let image = testImage()
        let receiver = receiver()
        try receiver.accept(manifest: Array(manifest(for: image, version: "0.2.0", key: key).json.serialized().utf8))
        var tampered = image
        tampered[5000] ^= 0xff
        try send(tampered, to: receiver)
        guard case .refused(let reason) = try receiver.makeCheck().run() else { Issue.record("accepted"); return }
        #expect(reason.hasPrefix("SHA-256 mismatch"))

        // A manifest that lies about the architecture: the ELF header is checked too.
        let arm = testImage(machine: ELFHeader.hostArchitecture == "aarch64" ? 62 : 183)
        let lying = receiver
        try lying.accept(manifest: Array(manifest(for: arm, version: "0.2.1", key: key).json.serialized().utf8))
        try send(arm, to: lying)
        guard case .refused(let why) = try lying.makeCheck().run() else { Issue.record("accepted"); return }
        #expect(why.hasPrefix("wrong architecture"))
    }

    @Test func resumesAfterARestartAskingOnlyForTheMissingChunks() throws {
        let image = testImage()
        let first = receiver()
        let signed = manifest(for: image, version: "0.2.0", key: key)
        try first.accept(manifest: Array(signed.json.serialized().utf8))
        try send(image, to: first, skipping: Set(30..<74))
        try first.transfer?.persist()

        let second = receiver()
        #expect(second.resumeInterrupted())
        let transfer = try #require(second.transfer)
        #expect(transfer.bitmap.missingRanges(limit: 10) == [30...73])
        #expect(try second.accept(manifest: Array(signed.json.serialized().utf8)) == .resumed)
        for index in 30..<74 { #expect(try transfer.store(chunk: index, chunk(image, index)) == .stored) }
        #expect(try transfer.store(chunk: 3, chunk(image, 3)) == .duplicate)
        #expect(transfer.bitmap.isComplete)
        #expect(try second.makeCheck().run() == .passed)
    }

    @Test func dropsChunksOfTheWrongLengthOrIndex() throws {
        let image = testImage()
        let receiver = receiver()
        try receiver.accept(manifest: Array(manifest(for: image, version: "0.2.0", key: key).json.serialized().utf8))
        let transfer = try #require(receiver.transfer)
        #expect(try transfer.store(chunk: 0, [1, 2, 3]) != .stored)
        #expect(try transfer.store(chunk: 9999, chunk(image, 0)) != .stored)
        #expect(try transfer.store(chunk: -1, chunk(image, 0)) != .stored)
        #expect(transfer.bitmap.received == 0)
    }

    @Test func stateRecordSurvivesARoundTripAndABrokenFileIsReported() throws {
        let store = OTAStateStore(paths: paths)
        let written = try store.update { record in
            record.active = .b
            record.trial = true
            record.slotB = OTASlotInfo(status: .trial, version: "1.0", sha256: "ab")
        }
        #expect(try store.load() == written)
        try Data("{\"active\":".utf8).write(to: URL(fileURLWithPath: paths.state))
        #expect(throws: OTAError.self) { try store.load() }
        #expect(try store.update(resetBroken: true) { _ in }.active == .factory)
    }
}
