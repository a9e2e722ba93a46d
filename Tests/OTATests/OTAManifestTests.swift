import Crypto
import JSON
import OTA
import Testing

@Suite struct OTAManifestTests {
    let key = try! Ed25519.PrivateKey.generate()

    func sample(version: String = "0.2.0", force: Bool = false) -> OTAManifest {
        OTAManifest(version: OTAVersion(version)!, architecture: "x86_64", size: 100_000,
                    sha256: [UInt8](repeating: 0xab, count: 32), chunkSize: 4096, force: force)
    }

    @Test func roundTripsThroughJSONAndVerifies() throws {
        let signed = sample().signed(by: key)
        let parsed = try OTAManifest.parse(Array(signed.json.serialized().utf8))
        #expect(parsed == signed)
        #expect(parsed.isSigned(byOneOf: [key.publicKey]))
        #expect(parsed.chunkCount == 25)
        #expect(parsed.length(ofChunk: 24) == 100_000 - 24 * 4096)
    }

    @Test func memberOrderDoesNotMatterButEveryFieldIsSigned() throws {
        let signed = sample().signed(by: key)
        // Same fields, another order and spacing: still valid.
        let reordered = "{ \"signature\": \"\(Hex.encode(signed.signature))\", \"chunk_size\": 4096, \"force\": false, "
            + "\"sha256\": \"\(signed.digestHex)\", \"size\": 100000, \"arch\": \"x86_64\", \"version\": \"0.2.0\" }"
        #expect(try OTAManifest.parse(Array(reordered.utf8)).isSigned(byOneOf: [key.publicKey]))
        // Each field changed alone breaks the signature.
        var changed: [OTAManifest] = []
        var m = signed; m.version = OTAVersion("0.2.1")!; changed.append(m)
        m = signed; m.architecture = "aarch64"; changed.append(m)
        m = signed; m.size += 1; changed.append(m)
        m = signed; m.sha256[0] ^= 1; changed.append(m)
        m = signed; m.chunkSize = 8192; changed.append(m)
        m = signed; m.force = true; changed.append(m)
        for manifest in changed { #expect(!manifest.isSigned(byOneOf: [key.publicKey])) }
        let stranger = try Ed25519.PrivateKey.generate()
        #expect(!signed.isSigned(byOneOf: [stranger.publicKey]))
        #expect(signed.isSigned(byOneOf: [stranger.publicKey, key.publicKey]))
    }

    @Test(arguments: [
        "", "[]", "{}", "not json",
        #"{"version":"0.2.0","arch":"x86_64","size":0,"sha256":"\#(String(repeating: "a", count: 64))","chunk_size":4096,"signature":"\#(String(repeating: "b", count: 128))"}"#,
        #"{"version":"x","arch":"x86_64","size":10,"sha256":"\#(String(repeating: "a", count: 64))","chunk_size":4096,"signature":"\#(String(repeating: "b", count: 128))"}"#,
        #"{"version":"1.0","arch":"X86","size":10,"sha256":"\#(String(repeating: "a", count: 64))","chunk_size":4096,"signature":"\#(String(repeating: "b", count: 128))"}"#,
        #"{"version":"1.0","arch":"x86_64","size":10,"sha256":"abc","chunk_size":4096,"signature":"\#(String(repeating: "b", count: 128))"}"#,
        #"{"version":"1.0","arch":"x86_64","size":10,"sha256":"\#(String(repeating: "a", count: 64))","chunk_size":100,"signature":"\#(String(repeating: "b", count: 128))"}"#,
        #"{"version":"1.0","arch":"x86_64","size":10,"sha256":"\#(String(repeating: "a", count: 64))","chunk_size":4096,"signature":"zz"}"#,
        #"{"version":"1.0","arch":"x86_64","size":999999999,"sha256":"\#(String(repeating: "a", count: 64))","chunk_size":4096,"signature":"\#(String(repeating: "b", count: 128))"}"#,
        #"{"version":"1.0","arch":"x86_64","size":10,"sha256":"\#(String(repeating: "a", count: 64))","chunk_size":4096,"signature":"\#(String(repeating: "b", count: 128))","force":"yes"}"#,
    ])
    func refusesMalformedManifests(_ text: String) {
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
