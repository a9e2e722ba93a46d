import Crypto
import Foundation
import JSON
import OTA
import Runtime
import TestSupport
import Testing

/// Issue 30, item 1: group manifests sign their audience, a gateway takes only the ones
/// naming its group and itself, and never takes one again once its serial is spent.
@Suite struct FleetManifestTests {
    let key = try! Ed25519.PrivateKey.generate()
    let data = TemporaryDirectory(prefix: "fleet")
    var paths: OTAPaths { OTAPaths(dataDirectory: data.path) }

    func groupManifest(_ image: [UInt8], version: String = "0.2.0", nodes: [String] = [], board: String = "",
                       minVersion: String? = nil, group: String = "bay", serial: Int? = nil) -> OTAManifest {
        var unsigned = manifest(for: image, version: version, key: key, target: .group(group), serial: serial)
        unsigned.audience = OTAAudience(nodes: nodes, board: board, minVersion: minVersion.flatMap { OTAVersion($0) })
        return unsigned.signed(by: key)
    }

    func receiver(group: String = "bay", board: String = "rpi4", version: String = "0.1.0") -> OTAReceiver {
        let receiver = OTAReceiver(paths: paths, keys: [key.publicKey], node: testNode, runningVersion: version,
                                   runningSlot: .factory)
        receiver.group = group
        receiver.board = board
        return receiver
    }

    @Test func theAudienceIsSignedAndSurvivesTheWire() throws {
        let signed = groupManifest(testImage(size: 10_000), nodes: [testNode, "gw-2"], board: "rpi4", minVersion: "0.1.0")
        let parsed = try OTAManifest.parse(payload(signed))
        #expect(parsed == signed && parsed.isSigned(byOneOf: [key.publicKey]))
        #expect(parsed.canonicalText.hasPrefix("switchyard-ota-manifest-v3\n"))
        #expect(parsed.canonicalText.contains("nodes=" + testNode + ",gw-2\nboard=rpi4\nmin_version=0.1.0\n"))
        // Widening a wave to the whole group, another board, or dropping the version floor
        // breaks the signature.
        for (name, value) in [("nodes", JSONValue.array([])), ("board", .string("")), ("min_version", .string("0.0.1"))] {
            var object = try #require(signed.json.objectValue)
            object[name] = value
            let changed = try OTAManifest.parse(Array(JSONValue.object(object).serialized().utf8))
            #expect(!changed.isSigned(byOneOf: [key.publicKey]), "\(name) is not signed")
        }
        // A node manifest keeps the v2 text, so what `ota push` signed stays valid.
        #expect(manifest(for: [1, 2, 3], version: "0.2.0", key: key).canonicalText.hasPrefix("switchyard-ota-manifest-v2\n"))
    }

    @Test func malformedAudiencesAreRefused() throws {
        let signed = groupManifest(testImage(size: 10_000))
        for (name, value) in [("nodes", JSONValue.string("gw-1")), ("nodes", .array([.string("a/b")])),
                              ("board", .string("x y")), ("min_version", .string("one"))] {
            var object = try #require(signed.json.objectValue)
            object[name] = value
            #expect(throws: OTAError.self) { try OTAManifest.parse(Array(JSONValue.object(object).serialized().utf8)) }
        }
    }

    @Test func aGatewayTakesOnlyItsGroupItsWaveItsBoardAndAFloorItMeets() throws {
        let image = testImage()
        func refusal(_ receiver: OTAReceiver, _ manifest: OTAManifest) -> String? {
            do { try receiver.accept(manifest: payload(manifest)) } catch { return error.description }
            return nil
        }
        #expect(refusal(receiver(group: ""), groupManifest(image))?.contains("this gateway is in no group") == true)
        #expect(refusal(receiver(group: "lab"), groupManifest(image))?.contains("this gateway is in lab") == true)
        #expect(refusal(receiver(), groupManifest(image, nodes: ["gw-2"])) == "not targeted: not in this wave's nodes")
        #expect(refusal(receiver(), groupManifest(image, board: "rpi5"))?.contains("for board rpi5") == true)
        #expect(refusal(receiver(), groupManifest(image, minVersion: "0.1.5"))?.contains("needs version 0.1.5") == true)
        // Nothing refused above spent a serial or touched a slot.
        #expect(try OTAStateStore(paths: paths).load().lastSerial == 0)
        let wave = groupManifest(image, nodes: ["gw-2", testNode], board: "rpi4", minVersion: "0.1.0")
        #expect(refusal(receiver(), wave) == nil)
        // The retained copy again, after a restart: its serial is spent.
        let restarted = receiver()
        #expect(refusal(restarted, wave)?.hasPrefix("replayed") == true)
    }

    @Test func wavesAndCampaignStateParse() throws {
        #expect(FleetCampaign.parseWaves("1,10,50,100%") == [1, 10, 50, 100])
        #expect(FleetCampaign.parseWaves("5%,100%") == [5, 100])
        for bad in ["", "0,100", "50,10", "10,,100", "101", "a", "10,10"] { #expect(FleetCampaign.parseWaves(bad) == nil, "\(bad)") }
        var campaign = FleetCampaign(sha256: "ab", version: "0.2.0", waves: [1, 10, 50, 100])
        #expect(campaign.size(ofWave: 0, members: 10) == 1 && campaign.size(ofWave: 1, members: 10) == 1)
        #expect(campaign.size(ofWave: 2, members: 9) == 5 && campaign.size(ofWave: 3, members: 9) == 9)
        campaign.wave = 2
        campaign.failed = ["gw-1"]
        campaign.phase = .halted
        campaign.reason = "too many"
        #expect(FleetCampaign.parse(Array(campaign.json.serialized().utf8)) == campaign)
        for junk in ["", "{}", "[1]", #"{"sha256":"ab","version":"1","waves":[10],"wave":3,"state":"running","serial":1}"#] {
            #expect(FleetCampaign.parse(Array(junk.utf8)) == nil)
        }
    }

    @Test func theInventoryReadsStateStatusAndOTAStatusAndCountsJunk() {
        var inventory = FleetInventory()
        let state = #"{"version":"0.1.0","board":"rpi4","uptime_s":75,"services":{"ota":{"state":"#
            + #"{"running":"0.2.0","slot":"a","group":"bay"}}}}"#
        inventory.ingest(topic: "switchyard/gw-1/state", payload: Array(state.utf8))
        inventory.ingest(topic: "switchyard/gw-1/status", payload: Array("offline".utf8))
        inventory.ingest(topic: "switchyard/gw-1/ota/status",
                         payload: Array(#"{"state":"rolled_back","sha256":"cd","reason":"crashed 3 times"}"#.utf8))
        inventory.ingest(topic: "switchyard/gw-2/state", payload: Array(#"{"version":"0.1.0"}"#.utf8))
        inventory.ingest(topic: "switchyard/gw-3/state", payload: Array("not json".utf8))
        inventory.ingest(topic: "switchyard/gw-4/other", payload: Array("x".utf8))
        let bay = inventory.list(group: "bay")
        #expect(bay.map { $0.node } == ["gw-1"])
        let member = bay[0]
        #expect(member.version == "0.2.0" && member.slot == "a" && member.board == "rpi4" && member.uptimeSeconds == 75)
        #expect(member.online == false && member.update == "rolled_back" && member.lastRollback == "crashed 3 times")
        #expect(inventory.list(group: nil).count >= 2)
        #expect(inventory.dropped == 2)
    }
}

/// Issue 30, item 4: a delta against the running slot is fetched and rebuilt into the image;
/// a gateway on another base takes the full image.
@Suite struct FleetDeltaTests {
    let key = try! Ed25519.PrivateKey.generate()
    let data = TemporaryDirectory(prefix: "fleet-delta")
    var paths: OTAPaths { OTAPaths(dataDirectory: data.path) }

    /// A gateway running `base` from slot a, committed.
    func running(_ base: [UInt8]) throws -> OTAReceiver {
        try FileManager.default.createDirectory(atPath: paths.directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: paths.binary(.a)!, contents: Data(base))
        _ = try OTAStateStore(paths: paths).update { record in
            record.active = .a
            record.slotA = OTASlotInfo(status: .good, version: "0.2.0", sha256: Hex.encode(SHA256.hash(base)))
        }
        let receiver = OTAReceiver(paths: paths, keys: [key.publicKey], node: testNode, runningVersion: "0.2.0",
                                   runningSlot: .a)
        receiver.group = "bay"
        return receiver
    }

    func deltaManifest(base: [UInt8], image: [UInt8], patch: [UInt8]) -> OTAManifest {
        var unsigned = manifest(for: image, version: "0.2.1", key: key, target: .group("bay"))
        unsigned.delta = OTADelta(baseSHA256: SHA256.hash(base), size: patch.count,
                                  chunkDigests: OTAManifest.chunkDigests(of: patch, chunkSize: 4096))
        return unsigned.signed(by: key)
    }

    @Test func aGatewayOnTheBaseRebuildsTheImageFromThePatch() throws {
        let base = testImage(size: 400_000)
        var image = base
        for offset in stride(from: 1000, to: 1100, by: 1) { image[offset] ^= 0x5a }   // a small fix
        image += Array(repeating: 7, count: 3000)                                      // and a little growth
        let patch = try #require(ZstdPatch.make(from: base, to: image, level: 3))
        #expect(patch.count < image.count / 20, "the patch is \(patch.count) bytes")
        let receiver = try running(base)
        let signed = deltaManifest(base: base, image: image, patch: patch)
        #expect(try OTAManifest.parse(payload(signed)) == signed)
        #expect(try receiver.accept(manifest: payload(signed)) == .started(.b))
        let transfer = try #require(receiver.transfer)
        #expect(transfer.usesDelta && transfer.bitmap.count == (patch.count + 4095) / 4096)
        // An image chunk is not a patch chunk.
        #expect(try transfer.store(chunk: 0, chunk(image, 0)) != .stored)
        for index in 0..<transfer.bitmap.count { #expect(try transfer.store(chunk: index, chunk(patch, index)) == .stored) }
        try receiver.rebuildFromDelta()
        #expect(try receiver.makeCheck().run() == .passed)
        #expect(FileManager.default.contents(atPath: paths.binary(.b)!) == Data(image))
        #expect(try receiver.install().active == .b)
    }

    @Test func aGatewayOnAnotherBaseTakesTheFullImageAndABadPatchIsRefused() throws {
        let base = testImage(size: 200_000)
        let other = testImage(size: 200_000)
        let image = base + [1, 2, 3]
        let patch = try #require(ZstdPatch.make(from: base, to: image, level: 3))
        let receiver = try running(other)
        #expect(try receiver.accept(manifest: payload(deltaManifest(base: base, image: image, patch: patch))) == .started(.b))
        #expect(receiver.transfer?.usesDelta == false && receiver.transfer?.bitmap.count == (image.count + 4095) / 4096)
        // libzstd itself: a patch applied to another base fails or makes something else.
        let wrong = try? ZstdPatch.apply(patch, to: other, size: image.count)
        #expect(wrong != image)
        #expect(throws: OTAError.self) { try ZstdPatch.apply(Array(patch.dropLast(5)), to: base, size: image.count) }
        #expect(throws: OTAError.self) { try ZstdPatch.apply(patch, to: base, size: image.count - 1) }
        #expect(try ZstdPatch.apply(patch, to: base, size: image.count) == image)
    }
}
