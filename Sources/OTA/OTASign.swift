import CLI
import CSupport
import Crypto
import JSON
import Runtime

/// `switchyard ota sign`: signs an image for one gateway and writes it with its manifest as
/// one update file (`OTAUploadBundle`), for the dashboard's upload. The manifest is what
/// `ota push` would send (same checks on the gateway); its serial is the milliseconds now,
/// so a file signed later replaces one signed earlier, and each is taken at most once.
enum OTASign {
    static func run(_ parsed: Arguments) throws(UsageError) -> Int32 {
        // The same options as push (the broker ones are not used).
        let push = try OTAPush(parsed)
        guard let input = OTAReleaseInput(command: "ota sign", file: push.file, keyPath: push.keyPath,
                                          version: push.version, chunkSize: push.chunkSize) else { return 1 }
        let key = input.key, image = input.image, architecture = input.architecture
        let version = input.version, versionText = input.versionText
        let now = Int(WallClock.millisecondsSinceEpoch())
        let manifest = OTAManifest(version: version, architecture: architecture, size: image.size, sha256: image.sha256,
                                   chunkSize: push.chunkSize, chunkDigests: image.chunkDigests(chunkSize: push.chunkSize),
                                   target: .node(push.node), serial: now, expires: now / 1000 + push.validity,
                                   force: push.force, downgrade: push.downgrade).signed(by: key)
        let out = parsed.value("--out") ?? push.file + ".update"
        do throws(RuntimeError) {
            let file = OwnedDescriptor(try FileDescriptor.open(out, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644))
            try file.fd.writeAll(manifest.json.serialized() + "\n")
            var index = 0
            while index < manifest.chunkCount {
                let chunk = image.chunk(index, chunkSize: push.chunkSize)
                let failure = chunk.withUnsafeBytes { raw -> RuntimeError? in
                    do throws(RuntimeError) { try file.fd.writeAll(raw) } catch { return error }
                    return nil
                }
                if let failure { throw failure }
                index += 1
            }
        } catch {
            Output.error("switchyard ota sign: \(out): \(error.description)")
            return 1
        }
        Output.line("wrote \(out): version \(versionText) for \(push.node), \(architecture), \(image.size) bytes, valid "
            + "until " + WallClock.iso8601(millisecondsSinceEpoch: Int64(manifest.expires) * 1000)
            + "; upload it on the dashboard's Firmware card")
        return 0
    }
}
