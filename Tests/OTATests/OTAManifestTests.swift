import Crypto
import JSON
import OTA
import Testing

@Suite struct OTAManifestTests {
    let key = try! Ed25519.PrivateKey.generate()

    func sample(version: String = "0.2.0", force: Bool = false) -> OTAManifest {
        OTAManifest(version: OTAVersion(version)!, architecture: "x86_64", size: 100_000,
                    sha256: [UInt8](repeating: 0xab, count: 32), chunkSize: 4096,
                    chunkDigests: [UInt8](repeating: 0xcd, count: 25 * 32), target: .node("garage"),
                    serial: 1_796_083_200_000, expires: 1_796_169_600, force: force)
    }

    /// `sample()` signed, as JSON text with member `name` set to `value` (JSON text), or
    /// removed when `value` is nil.
    func sampleText(_ name: String, _ value: String?) throws -> String {
        var object = try #require(sample().signed(by: key).json.objectValue)
        object[name] = try value.map { try JSONValue.parse(Array($0.utf8)) }
        return JSONValue.object(object).serialized()
    }

    @Test func roundTripsThroughJSONAndVerifies() throws {
        let signed = sample().signed(by: key)
        let parsed = try OTAManifest.parse(Array(signed.json.serialized().utf8))
        #expect(parsed == signed)
        #expect(parsed.isSigned(byOneOf: [key.publicKey]))
        #expect(parsed.chunkCount == 25)
        #expect(parsed.length(ofChunk: 24) == 100_000 - 24 * 4096)
        #expect(parsed.target == .node("garage") && parsed.serial == 1_796_083_200_000 && parsed.expires == 1_796_169_600)
    }

    @Test func memberOrderDoesNotMatterButEveryFieldIsSigned() throws {
        let signed = sample().signed(by: key)
        // Same fields, another order: still valid.
        var reordered = JSONObject()
        for (name, value) in try #require(signed.json.objectValue).reversed() { reordered.append(name, value) }
        #expect(try OTAManifest.parse(Array(JSONValue.object(reordered).serialized().utf8)).isSigned(byOneOf: [key.publicKey]))
        // Each field changed alone breaks the signature.
        var changed: [OTAManifest] = []
        var m = signed; m.version = OTAVersion("0.2.1")!; changed.append(m)
        m = signed; m.architecture = "aarch64"; changed.append(m)
        m = signed; m.size += 1; changed.append(m)
        m = signed; m.sha256[0] ^= 1; changed.append(m)
        m = signed; m.chunkSize = 8192; changed.append(m)
        m = signed; m.chunkDigests[700] ^= 1; changed.append(m)
        m = signed; m.target = .node("kitchen"); changed.append(m)
        m = signed; m.target = .group("garage"); changed.append(m)
        m = signed; m.serial += 1; changed.append(m)
        m = signed; m.expires += 1; changed.append(m)
        m = signed; m.force = true; changed.append(m)
        m = signed; m.downgrade = true; changed.append(m)
        for manifest in changed { #expect(!manifest.isSigned(byOneOf: [key.publicKey])) }
        let stranger = try Ed25519.PrivateKey.generate()
        #expect(!signed.isSigned(byOneOf: [stranger.publicKey]))
        #expect(signed.isSigned(byOneOf: [stranger.publicKey, key.publicKey]))
    }

    @Test func checksEachChunkAgainstItsDigest() {
        let image = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var manifest = sample()
        manifest.size = image.count
        manifest.chunkDigests = OTAManifest.chunkDigests(of: image, chunkSize: 4096)
        #expect(manifest.chunkDigests.count == 3 * 32)
        #expect(manifest.matches(chunk: 2, Array(image[8192...])))
        #expect(!manifest.matches(chunk: 1, Array(image[8192...])))
    }

    // Issue 20, item 4: a manifest of the first format binds no gateway, serial or time.
    @Test func refusesAnOldFormatManifestSayingWhy() throws {
        let old = #"{"version":"0.2.0","arch":"x86_64","size":100000,"sha256":"\#(String(repeating: "a", count: 64))","#
            + #""chunk_size":4096,"force":true,"signature":"\#(String(repeating: "b", count: 128))"}"#
        #expect(throws: OTAError.invalidManifest("an old-format manifest (no target, serial or expiry, so it could be "
            + "replayed anywhere): sign it with this firmware's `switchyard ota push`")) {
            try OTAManifest.parse(Array(old.utf8))
        }
    }

    // Issue 20, item 3: every number from outside is range-checked; none may trap.
    @Test(arguments: [
        ("size", "0"), ("size", "1e20"), ("size", "-1"), ("size", "100000.5"), ("chunk_size", "100"),
        ("chunk_size", "9.3e18"), ("serial", "0"), ("serial", "9.3e18"), ("serial", "1e300"), ("serial", "-1"),
        ("serial", "9007199254740993"), ("expires", "-1"), ("expires", "1e19"), ("expires", "253402300800"),
        ("target", "\"garage\""), ("target", "\"node:\""), ("target", "\"host:garage\""),
        ("target", "\"node:a b\""), ("target", "\"node:a\\nb\""), ("target", "42"), ("serial", "\"12\""),
        ("chunk_sha256", "\"abcd\""), ("sha256", "\"abc\""), ("signature", "\"zz\""), ("version", "\"x\""),
        ("arch", "\"X86\""), ("force", "\"yes\""), ("downgrade", "1"), ("target", nil), ("serial", nil),
        ("expires", nil), ("chunk_sha256", nil),
    ] as [(String, String?)])
    func refusesFieldsOfTheWrongKindOrOutOfRange(_ field: String, _ value: String?) throws {
        let text = try sampleText(field, value)
        #expect(throws: OTAError.self, "\(field) = \(value ?? "missing")") { try OTAManifest.parse(Array(text.utf8)) }
    }

    @Test(arguments: ["", "[]", "{}", "not json"])
    func refusesWhatIsNotAManifest(_ text: String) {
        #expect(throws: OTAError.self) { try OTAManifest.parse(Array(text.utf8)) }
    }

    @Test func refusesMoreChunksThanAManifestCarries() throws {
        var big = sample()
        big.chunkSize = 512
        big.size = 512 * (OTAManifest.maxChunks + 1)
        big.chunkDigests = [UInt8](repeating: 1, count: 32 * (OTAManifest.maxChunks + 1))
        let text = big.signed(by: key).json.serialized()
        #expect(throws: OTAError.self) { try OTAManifest.parse(Array(text.utf8)) }
    }

    @Test func refusesOversizedPayloads() {
        let big = [UInt8](repeating: 0x20, count: OTAManifest.maxPayload + 1)
        #expect(throws: OTAError.self) { try OTAManifest.parse(big) }
    }
}

@Suite struct OTAVersionTests {
    @Test func comparesNumericallyAndPreReleasesFirst() {
        func v(_ text: String) -> OTAVersion { OTAVersion(text)! }
        #expect(v("0.1.0") < v("0.2.0"))
        #expect(v("0.9.0") < v("0.10.0"))
        #expect(v("1.0") == v("1.0.0"))
        #expect(v("1.0.0-rc1") < v("1.0.0"))
        #expect(v("1.0.0-rc1") < v("1.0.0-rc2"))
        #expect(!(v("2.0") < v("1.9.9")))
    }

    @Test(arguments: ["", ".", "1.", ".1", "1..2", "a", "1.2.3.4.5", "1-", "1-r c", "01234567890", "1.2.3-rc/1"])
    func refusesNonVersions(_ text: String) {
        #expect(OTAVersion(text) == nil)
    }
}

@Suite struct ELFHeaderTests {
    func header(machine: UInt16, class64: Bool = true) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[0...3] = [0x7f, 0x45, 0x4c, 0x46]
        bytes[4] = class64 ? 2 : 1
        bytes[5] = 1
        bytes[16] = 3
        bytes[18] = UInt8(machine & 0xff)
        bytes[19] = UInt8(machine >> 8)
        return bytes
    }

    @Test func namesTheArchitectures() {
        #expect(ELFHeader(header(machine: 62))?.architecture == "x86_64")
        #expect(ELFHeader(header(machine: 183))?.architecture == "aarch64")
        #expect(ELFHeader(header(machine: 40, class64: false))?.architecture == "arm")
        #expect(ELFHeader(header(machine: 999))?.architecture == "machine 999")
    }

    @Test func refusesWhatIsNotAnExecutable() {
        #expect(ELFHeader(Array("#!/bin/sh\necho hi\n".utf8)) == nil)
        #expect(ELFHeader(Array(header(machine: 62).prefix(19))) == nil)
        var relocatable = header(machine: 62)
        relocatable[16] = 1
        #expect(ELFHeader(relocatable) == nil)
    }

    @Test func readsTheTestRunnersOwnHeader() throws {
        let bytes = try #require(FileManager.default.contents(atPath: "/proc/self/exe"))
        #expect(ELFHeader(Array(bytes.prefix(64)))?.architecture == ELFHeader.hostArchitecture)
    }
}

import Foundation
