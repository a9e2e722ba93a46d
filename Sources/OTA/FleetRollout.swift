import CLI
import CSupport
import Crypto
import JSON
import Runtime
import ServiceKit
import Uplink

/// `switchyard fleet rollout`: the campaign's options and its run; the waves themselves are
/// `FleetCampaignRunner`'s.
struct FleetRollout {
    let file: String
    let keyPath: String
    let group: String
    let waves: [Int]
    let maxFailures: Int
    let version: String?
    let board: String
    let minVersion: OTAVersion?
    let chunkSize: Int
    let validity: Int
    let waveTimeout: Int
    let startOver: Bool
    /// The image the gateways run now, for a delta beside the full image (`--patch-from`).
    let patchFrom: String?
    let patchLevel: Int32
    let broker: OTABroker

    init(_ parsed: Arguments, broker: OTABroker) throws(UsageError) {
        let release = try OTAReleaseOptions(parsed, action: "rollout", defaultChunkSize: 65536, defaultExpiry: "30d")
        guard let group = parsed.value("--group") else { throw UsageError("rollout needs --group NAME (the gateways' ota.group)") }
        file = release.file
        keyPath = release.keyPath
        self.group = group
        let wavesText = parsed.value("--waves") ?? "1,10,50,100%"
        guard let waves = FleetCampaign.parseWaves(wavesText) else {
            throw UsageError("--waves \(wavesText): ascending percentages from 1 to 100, like 1,10,50,100%")
        }
        self.waves = waves
        let failuresText = parsed.value("--max-failures") ?? "5%"
        guard let failures = FleetCampaign.parseWaves(failuresText).flatMap({ $0.count == 1 ? $0[0] : nil }) else {
            throw UsageError("--max-failures \(failuresText): a percentage from 1 to 100, like 5%")
        }
        maxFailures = failures
        version = release.version
        board = parsed.value("--board") ?? ""
        guard board.isEmpty || OTATarget.isName(board) else { throw UsageError("--board \(board): not a board name") }
        if let text = parsed.value("--min-version") {
            guard let parsedVersion = OTAVersion(text) else { throw UsageError("--min-version \(text): not a version") }
            minVersion = parsedVersion
        } else {
            minVersion = nil
        }
        chunkSize = release.chunkSize
        validity = release.validity
        let timeoutText = parsed.value("--wave-timeout") ?? "1800"
        guard let timeout = Int(timeoutText), timeout > 0 && timeout <= 7 * 86400 else {
            throw UsageError("--wave-timeout \(timeoutText): seconds, 1 to \(7 * 86400)")
        }
        waveTimeout = timeout
        startOver = parsed.has("--force")
        patchFrom = parsed.value("--patch-from")
        let levelText = parsed.value("--patch-level") ?? "19"
        guard let level = Int32(levelText), level >= 1 && level <= 19 else {
            throw UsageError("--patch-level \(levelText): 1 to 19")
        }
        patchLevel = level
        self.broker = broker
    }

    func run() -> Int32 {
        guard let input = OTAReleaseInput(command: "fleet rollout", file: file, keyPath: keyPath, version: version,
                                          chunkSize: chunkSize) else { return 1 }
        let key = input.key, image = input.image, architecture = input.architecture
        let parsedVersion = input.version, versionText = input.versionText
        var manifest = OTAManifest(version: parsedVersion, architecture: architecture, size: image.size,
                                   sha256: image.sha256, chunkSize: chunkSize,
                                   chunkDigests: image.chunkDigests(chunkSize: chunkSize), target: .group(group),
                                   serial: 0, expires: 0)
        manifest.audience = OTAAudience(board: board, minVersion: minVersion)
        var patch: [UInt8]? = nil
        if let patchFrom {
            guard let made = makeDelta(from: patchFrom, image: image, into: &manifest) else { return 1 }
            patch = made
        }
        let signals: SignalEvents
        let loop: EventLoop
        let client: MQTTClient
        do throws(RuntimeError) {
            signals = try SignalEvents()
            loop = try EventLoop()
        } catch {
            Output.error("switchyard fleet rollout: \(error.description)")
            return 1
        }
        do throws(UplinkError) { client = try broker.client(named: "fleet", on: loop) } catch {
            Output.error("switchyard fleet rollout: mqtt: \(error.description)")
            return 1
        }
        Output.line("rolling out \(file): version \(versionText), \(architecture), \(image.size) bytes in "
            + "\(manifest.chunkCount) chunks, sha256 \(manifest.digestHex) to group \(group) via \(broker.description)")
        let runner = FleetCampaignRunner(manifest: manifest, key: key, image: image, patch: patch, validity: validity,
                                         waves: waves,
                                         maxFailures: maxFailures, waveTimeout: .seconds(Int64(waveTimeout)),
                                         startOver: startOver, client: client, loop: loop)
        var exitStatus: Int32 = 1
        var stopping = false
        runner.onFinish = { status in
            guard !stopping else { return }
            stopping = true
            exitStatus = status
            client.stop(grace: .seconds(2)) { loop.stop() }
        }
        loop.handleSignals(signals) { _ in
            Output.error("switchyard fleet rollout: interrupted; the campaign's state is retained: run the same "
                + "command again to resume")
            runner.finish(130)
        }
        runner.start()
        client.start()
        do throws(RuntimeError) { try loop.run() } catch {
            Output.error("switchyard fleet rollout: \(error.description)")
            return 1
        }
        return exitStatus
    }

    /// The zstd patch from the image at `path` to `image`, set as the manifest's delta; nil
    /// (said why) when either cannot be read or libzstd fails. A patch no smaller than the
    /// image is still sent: the gateways that have the base take it, and it is said.
    private func makeDelta(from path: String, image: OTAImageFile, into manifest: inout OTAManifest) -> [UInt8]? {
        let base: [UInt8], bytes: [UInt8]
        do throws(RuntimeError) {
            guard let read = try FileSystem.read(path, limit: OTAManifest.maxImageSize),
                  let whole = try FileSystem.read(image.path, limit: OTAManifest.maxImageSize), whole.count == image.size else {
                Output.error("switchyard fleet rollout: \(path) or \(image.path) is larger than \(OTAManifest.maxImageSize) bytes")
                return nil
            }
            base = read
            bytes = whole
        } catch {
            Output.error("switchyard fleet rollout: \(path): \(error.description)")
            return nil
        }
        guard let patch = ZstdPatch.make(from: base, to: bytes, level: patchLevel) else {
            Output.error("switchyard fleet rollout: libzstd could not make the patch")
            return nil
        }
        guard (patch.count + manifest.chunkSize - 1) / manifest.chunkSize <= OTAManifest.maxChunks else {
            Output.error("switchyard fleet rollout: the patch needs more than \(OTAManifest.maxChunks) chunks")
            return nil
        }
        let baseSHA = base.withUnsafeBytes { SHA256.hash($0) }
        manifest.delta = OTADelta(baseSHA256: baseSHA, size: patch.count,
                                  chunkDigests: OTAManifest.chunkDigests(of: patch, chunkSize: manifest.chunkSize))
        let permille = patch.count * 1000 / max(1, image.size)
        Output.line("delta from \(path) (sha256 \(Hex.encode(baseSHA).prefix(16))...): \(patch.count) bytes, "
            + String(permille / 10) + "." + String(permille % 10) + "% of the image's \(image.size)")
        return patch
    }
}
