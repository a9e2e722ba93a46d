import Crypto
import Foundation
import OTA

/// The node name the in-process receivers and services of these tests run as.
let testNode = "ota-test-node"

/// A small ELF-headed image for `machine`, with random bytes after the header.
func testImage(size: Int = 300_000, machine: UInt16 = ELFHeader.hostArchitecture == "aarch64" ? 183 : 62) -> [UInt8] {
    var bytes = (0..<size).map { _ in UInt8.random(in: 0...255) }
    bytes.replaceSubrange(0..<20, with: [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         3, 0, UInt8(machine & 0xff), UInt8(machine >> 8)])
    return bytes
}

/// Serials that rise across every test of the process, as `ota push`'s do (milliseconds at
/// signing, never the same twice).
func freshSerial() -> Int {
    SerialSource.shared.next()
}

private final class SerialSource: @unchecked Sendable {
    static let shared = SerialSource()
    private let lock = NSLock()
    private var last = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        last = max(last + 1, Int(Date().timeIntervalSince1970 * 1000))
        return last
    }
}

/// Seconds since the epoch, now.
func nowSeconds() -> Int { Int(Date().timeIntervalSince1970) }

/// A manifest for `image` as `ota push` would sign it: for `testNode`, a fresh serial, valid
/// for an hour, with every chunk's SHA-256.
func manifest(for image: [UInt8], version: String, key: Ed25519.PrivateKey, chunkSize: Int = 4096,
              architecture: String = ELFHeader.hostArchitecture, force: Bool = false, downgrade: Bool = false,
              target: OTATarget = .node(testNode), serial: Int? = nil, expires: Int? = nil) -> OTAManifest {
    OTAManifest(version: OTAVersion(version)!, architecture: architecture, size: image.count,
                sha256: SHA256.hash(image), chunkSize: chunkSize,
                chunkDigests: OTAManifest.chunkDigests(of: image, chunkSize: chunkSize), target: target,
                serial: serial ?? freshSerial(), expires: expires ?? nowSeconds() + 3600, force: force,
                downgrade: downgrade).signed(by: key)
}

/// The payload of `manifest`, as it travels.
func payload(_ manifest: OTAManifest) -> [UInt8] { Array(manifest.json.serialized().utf8) }

func chunk(_ image: [UInt8], _ index: Int, size: Int = 4096) -> [UInt8] {
    Array(image[(index * size)..<min(image.count, (index + 1) * size)])
}
