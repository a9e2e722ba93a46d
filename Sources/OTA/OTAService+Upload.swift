import CSupport
import Runtime
import ServiceKit

extension OTAService {
    /// Bytes of image fed to the receiver per loop pass: the upload goes in as fast as the
    /// disk takes it, and MQTT, the dashboard and the other services still run between passes.
    static let uploadBytesPerPass = 256 * 1024

    /// `ota stage FILE`: takes an update bundle (`switchyard ota sign`, uploaded from the
    /// dashboard) through the very path a manifest and chunks from MQTT take: the manifest
    /// is checked (signature, target, serial, expiry, architecture, version) and refused with
    /// its reason, the image goes in chunk by chunk (each checked against its signed digest),
    /// then the whole image is checked, installed on trial and the gateway restarts into it.
    /// The reply comes once the manifest is accepted or refused; the rest is in `state`.
    /// The file is read from an open descriptor, so the caller may remove it at once.
    func stage(_ path: String) -> CommandReply {
        guard let receiver else { return .failure("updates are off (set ota.enabled true)") }
        if let transfer = receiver.transfer {
            return .failure("an update to " + transfer.manifest.version.description
                + " is already being received; wait for it to end or give it up with `ota abort`")
        }
        let file: OwnedDescriptor
        do throws(RuntimeError) { file = OwnedDescriptor(try FileDescriptor.open(path, flags: O_RDONLY)) } catch {
            return .failure("cannot open the update: " + error.description)
        }
        var info = stat()
        guard fstat(file.fd.rawValue, &info) == 0 else { return .failure("cannot read the update's size") }
        let bundle: OTAUploadBundle
        do throws(OTAError) { bundle = try OTAUploadBundle.read(file.fd, fileSize: Int(info.st_size)) } catch {
            return .failure("update refused: " + error.description)
        }
        let manifest: OTAManifest
        do throws(OTAError) { manifest = try OTAManifest.parse(bundle.manifest) } catch {
            // Counted and recorded as a refused manifest from MQTT would be.
            handleManifest(bundle.manifest)
            if bundle.manifest.first != UInt8(ascii: "{") {
                return .failure("update refused: not an update file from `switchyard ota sign` (it starts with the "
                    + "signed manifest's JSON line; a bare firmware image cannot be checked)")
            }
            return .failure("update refused: " + error.description)
        }
        guard bundle.imageSize == manifest.size else {
            return .failure("update refused: the file holds " + String(bundle.imageSize) + " bytes of image, its manifest says "
                + String(manifest.size) + " (was it cut short?)")
        }
        let refusedBefore = stats.refused
        handleManifest(bundle.manifest)
        guard let transfer = receiver.transfer, transfer.manifest.digestHex == manifest.digestHex else {
            if stats.refused == refusedBefore {
                return .failure("update refused: " + manifest.version.description + " is the firmware running now")
            }
            let reason = status.state == .refused ? status.reason : (loadRecord()?.lastFailure ?? "")
            return .failure("update refused: " + (reason.isEmpty ? "see `ota status`" : reason))
        }
        context.log.info("update " + manifest.version.description + " staged from an uploaded file")
        OTAUploadFeed(service: self, file: file, bundle: bundle, manifest: manifest).next()
        return .text("accepted " + manifest.version.description + " (" + String(manifest.size) + " bytes, signature good): "
            + "writing it into slot " + transfer.slot.name + "; it is checked, installed on trial and the gateway restarts into it")
    }
}

/// Hands a bundle's image to the service as numbered chunks, `uploadBytesPerPass` per loop
/// pass, exactly as they would arrive from MQTT. Stops when the image is in, or when the
/// transfer it feeds is gone (aborted, failed, replaced).
final class OTAUploadFeed {
    private let service: OTAService
    private let file: OwnedDescriptor
    private let bundle: OTAUploadBundle
    private let manifest: OTAManifest
    private var index = 0

    init(service: OTAService, file: OwnedDescriptor, bundle: OTAUploadBundle, manifest: OTAManifest) {
        self.service = service
        self.file = file
        self.bundle = bundle
        self.manifest = manifest
    }

    /// Feeds one pass and schedules the next (the timer holds the feed until it ends).
    func next() {
        var fed = 0
        while index < manifest.chunkCount && fed < OTAService.uploadBytesPerPass {
            guard let transfer = service.receiver?.transfer, transfer.manifest.digestHex == manifest.digestHex else { return }
            let length = manifest.length(ofChunk: index)
            var payload = [UInt8](repeating: 0, count: length)
            guard OTAUploadBundle.read(file.fd, offset: bundle.imageOffset + index * manifest.chunkSize, into: &payload) == length
            else {
                service.context.log.error("cannot read chunk " + String(index) + " of the uploaded update; giving it up")
                _ = service.handleAbort()
                return
            }
            service.handleChunk(MQTTMessage(topic: service.topics.chunk(index), payload: payload, qos: 1, retain: false))
            index += 1
            fed += length
        }
        guard index < manifest.chunkCount else { return }
        _ = service.context.loop.after(.zero) { [self] in self.next() }
    }
}
