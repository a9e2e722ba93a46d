import CSupport
import Crypto
import JSON
import Runtime

/// One image being written into a slot: its manifest, the open slot file and the bitmap of
/// chunks on disk. Chunks go straight to the file at their offset (nothing is held in
/// memory); `persist()` syncs the file before recording the bitmap, so the record never
/// claims a chunk that a power cut could have lost.
public final class OTATransfer {
    public let manifest: OTAManifest
    public let slot: OTASlot
    public private(set) var bitmap: ChunkBitmap
    /// Chunks stored since the last `persist()`.
    public private(set) var unsaved = 0
    let file: OwnedDescriptor
    let paths: OTAPaths

    init(manifest: OTAManifest, slot: OTASlot, bitmap: ChunkBitmap, file: OwnedDescriptor, paths: OTAPaths) {
        self.manifest = manifest
        self.slot = slot
        self.bitmap = bitmap
        self.file = file
        self.paths = paths
    }

    /// A new transfer: the signed manifest is kept in `manifest.json` (once: it does not
    /// change while chunks land) and the slot file is created empty at the image's size.
    static func begin(_ manifest: OTAManifest, into slot: OTASlot, paths: OTAPaths) throws(OTAError) -> OTATransfer {
        guard let path = paths.binary(slot) else { preconditionFailure("OTATransfer: the factory slot is never written") }
        try OTARecordFile.write(manifest.json, to: paths.manifest, directory: paths.directory)
        do throws(RuntimeError) {
            try FileSystem.remove(path)
            let fd = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o755)
            let file = OwnedDescriptor(fd)
            _ = try SystemCall.retrying("ftruncate(" + path + ")") { ftruncate(fd.rawValue, off_t(manifest.size)) }
            let transfer = OTATransfer(manifest: manifest, slot: slot, bitmap: ChunkBitmap(count: manifest.chunkCount),
                                       file: file, paths: paths)
            return transfer
        } catch {
            throw .io(error)
        }
    }

    /// The transfer recorded in `manifest.json` and `transfer.json`, if there is one that
    /// still fits its slot file; records that do not fit are removed (the sender starts that
    /// image over).
    static func resume(paths: OTAPaths, keys: [Ed25519.PublicKey]) -> OTATransfer? {
        func discard() -> OTATransfer? {
            discardRecord(paths: paths)
            return nil
        }
        guard let value = try? OTARecordFile.read(paths.transfer),
              let manifestValue = try? OTARecordFile.read(paths.manifest, limit: OTAManifest.maxPayload),
              let manifest = try? OTAManifest.parse(Array(manifestValue.serialized().utf8)),
              manifest.isSigned(byOneOf: keys), value["sha256"]?.stringValue == manifest.digestHex,
              let slotName = value["slot"]?.stringValue, let slot = OTASlot(name: slotName), slot != .factory,
              let bitsText = value["bitmap"]?.stringValue, let bits = try? Hex.decode(bitsText),
              let bitmap = ChunkBitmap(count: manifest.chunkCount, bits: bits),
              let path = paths.binary(slot),
              let fd = try? FileDescriptor.open(path, flags: O_RDWR)
        else { return discard() }
        let file = OwnedDescriptor(fd)
        var info = stat()
        guard fstat(fd.rawValue, &info) == 0, Int(info.st_size) == manifest.size else { return discard() }
        return OTATransfer(manifest: manifest, slot: slot, bitmap: bitmap, file: file, paths: paths)
    }

    /// What a chunk did.
    public enum ChunkOutcome: Equatable {
        case stored
        /// Already had it (QoS 1 redelivery, a resend after `need`).
        case duplicate
        /// Not a chunk of this image (index or length); the reason says why.
        case dropped(String)
        /// The right place and length but not the signed content: not written, so a good copy
        /// that comes later is still taken.
        case corrupt(String)
    }

    /// Writes chunk `index` at its offset.
    public func store(chunk index: Int, _ payload: [UInt8]) throws(OTAError) -> ChunkOutcome {
        guard index >= 0 && index < manifest.chunkCount else {
            return .dropped("chunk \(index) is beyond the \(manifest.chunkCount) chunks of this image")
        }
        let expected = manifest.length(ofChunk: index)
        guard payload.count == expected else {
            return .dropped("chunk \(index) has \(payload.count) bytes, expected \(expected)")
        }
        guard !bitmap.contains(index) else { return .duplicate }
        guard manifest.matches(chunk: index, payload) else {
            return .corrupt("chunk \(index) does not match its signed SHA-256")
        }
        let offset = index * manifest.chunkSize
        let failure = payload.withUnsafeBytes { raw -> RuntimeError? in
            var written = 0
            while written < raw.count {
                do throws(RuntimeError) {
                    let n = try SystemCall.retrying("pwrite(slot)") {
                        pwrite(file.fd.rawValue, raw.baseAddress! + written, raw.count - written, off_t(offset + written))
                    }
                    written += n
                } catch {
                    return error
                }
            }
            return nil
        }
        if let failure { throw .io(failure) }
        bitmap.insert(index)
        unsaved += 1
        return .stored
    }

    /// Syncs the slot file, then records the slot and bitmap atomically.
    public func persist() throws(OTAError) {
        do throws(RuntimeError) { try file.fd.sync() } catch { throw .io(error) }
        try OTARecordFile.write(recordJSON, to: paths.transfer, directory: paths.directory)
        unsaved = 0
    }

    /// Hands the same work to `worker` (off the loop); false when it is still busy.
    func persist(on worker: OTAPersistWorker) -> Bool {
        guard worker.submit(slot: file.fd, record: Array(recordJSON.serialized().utf8), path: paths.transfer,
                            directory: paths.directory, received: bitmap.received) else { return false }
        unsaved = 0
        return true
    }

    /// What `transfer.json` holds: the image it belongs to (the manifest is in
    /// `manifest.json`), the slot and the bitmap.
    var recordJSON: JSONValue {
        var object = JSONObject(minimumCapacity: 3)
        object.append("sha256", .string(manifest.digestHex))
        object.append("slot", .string(slot.name))
        object.append("bitmap", .string(Hex.encode(bitmap.bits)))
        return .object(object)
    }

    /// Percent of chunks received, 0 to 100.
    public var percent: Int { bitmap.count == 0 ? 100 : bitmap.received * 100 / bitmap.count }

    /// Forgets the transfer's records (after installing, or when a new image replaces it).
    /// Best effort: without `transfer.json` a leftover `manifest.json` resumes nothing.
    static func discardRecord(paths: OTAPaths) {
        try? FileSystem.remove(paths.transfer)
        try? FileSystem.remove(paths.manifest)
    }
}
