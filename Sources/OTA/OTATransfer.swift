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
    /// Whether the chunks are the manifest's delta (a patch against the running slot, rebuilt
    /// into the image by `OTAReceiver.rebuildFromDelta()`) rather than the image itself.
    public let usesDelta: Bool

    init(manifest: OTAManifest, slot: OTASlot, bitmap: ChunkBitmap, file: OwnedDescriptor, paths: OTAPaths,
         usesDelta: Bool = false) {
        precondition(!usesDelta || manifest.delta != nil, "OTATransfer: a delta transfer needs the manifest's delta")
        self.manifest = manifest
        self.usesDelta = usesDelta
        self.slot = slot
        self.bitmap = bitmap
        self.file = file
        self.paths = paths
    }

    /// A new transfer: the signed manifest is kept in `manifest.json` (once: it does not
    /// change while chunks land) and the slot file is created empty at the image's size.
    static func begin(_ manifest: OTAManifest, into slot: OTASlot, paths: OTAPaths,
                      delta: Bool = false) throws(OTAError) -> OTATransfer {
        guard let path = paths.binary(slot) else { preconditionFailure("OTATransfer: the factory slot is never written") }
        try OTATransfer.writeRecord(manifest.json, to: paths.manifest, paths: paths)
        do throws(RuntimeError) {
            try FileSystem.remove(path)
            let fd = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o755)
            let file = OwnedDescriptor(fd)
            let geometry = OTATransfer.geometry(manifest, delta: delta)
            _ = try SystemCall.retrying("ftruncate(" + path + ")") { ftruncate(fd.rawValue, off_t(geometry.size)) }
            let transfer = OTATransfer(manifest: manifest, slot: slot, bitmap: ChunkBitmap(count: geometry.count),
                                       file: file, paths: paths, usesDelta: delta)
            return transfer
        } catch {
            throw .io(error)
        }
    }

    /// The transfer recorded in `manifest.json` and `transfer.json`; nil when there is none.
    /// Records that cannot be used (unreadable, unsigned, not fitting each other or their slot
    /// file) are removed and the reason thrown, so the caller can say why the sender starts
    /// that image over. The stored manifest is parsed once, from the JSON read.
    static func resume(paths: OTAPaths, keys: [Ed25519.PublicKey]) throws(OTAError) -> OTATransfer? {
        do throws(OTAError) {
            guard let value = try OTARecordFile.read(paths.transfer) else {
                // A leftover manifest.json alone resumes nothing.
                discardRecord(paths: paths)
                return nil
            }
            guard let stored = try OTARecordFile.read(paths.manifest, limit: OTAManifest.maxPayload) else {
                throw .invalidRecord(path: paths.manifest, reason: "missing beside " + paths.transfer)
            }
            let manifest = try OTAManifest.parse(json: stored)
            guard manifest.isSigned(byOneOf: keys) else {
                throw .invalidRecord(path: paths.manifest, reason: "not signed by a configured OTA key")
            }
            guard value["sha256"]?.stringValue == manifest.digestHex else {
                throw .invalidRecord(path: paths.transfer, reason: "about another image than " + paths.manifest)
            }
            guard let slotName = value["slot"]?.stringValue, let slot = OTASlot(name: slotName), slot != .factory,
                  let path = paths.binary(slot) else {
                throw .invalidRecord(path: paths.transfer, reason: "slot: not a or b")
            }
            let bits: [UInt8]
            do throws(CryptoError) { bits = try Hex.decode(value["bitmap"]?.stringValue ?? "") } catch {
                throw .invalidRecord(path: paths.transfer, reason: "bitmap: " + error.description)
            }
            let usesDelta = value["delta"]?.boolValue ?? false
            guard !usesDelta || manifest.delta != nil else {
                throw .invalidRecord(path: paths.transfer, reason: "a delta transfer of a manifest without one")
            }
            let geometry = OTATransfer.geometry(manifest, delta: usesDelta)
            guard let bitmap = ChunkBitmap(count: geometry.count, bits: bits) else {
                throw .invalidRecord(path: paths.transfer, reason: "bitmap: not one bit per chunk of the image")
            }
            let fd: FileDescriptor
            do throws(RuntimeError) { fd = try FileDescriptor.open(path, flags: O_RDWR) } catch { throw .io(error) }
            let file = OwnedDescriptor(fd)
            var info = stat()
            guard fstat(fd.rawValue, &info) == 0, Int(info.st_size) == geometry.size else {
                throw .invalidRecord(path: path, reason: "not the transfer's size of " + String(geometry.size) + " bytes")
            }
            return OTATransfer(manifest: manifest, slot: slot, bitmap: bitmap, file: file, paths: paths,
                               usesDelta: usesDelta)
        } catch {
            discardRecord(paths: paths)
            throw error
        }
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
        let geometry = OTATransfer.geometry(manifest, delta: usesDelta)
        guard index >= 0 && index < geometry.count else {
            return .dropped("chunk \(index) is beyond the \(geometry.count) chunks of this transfer")
        }
        let expected = index == geometry.count - 1 ? geometry.size - index * manifest.chunkSize : manifest.chunkSize
        guard payload.count == expected else {
            return .dropped("chunk \(index) has \(payload.count) bytes, expected \(expected)")
        }
        guard !bitmap.contains(index) else { return .duplicate }
        let digest = payload.withUnsafeBytes { SHA256.hash($0) }
        guard digest.elementsEqual(geometry.digests[(index * 32)..<(index * 32 + 32)]) else {
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
        try OTATransfer.writeRecord(recordJSON, to: paths.transfer, paths: paths)
        unsaved = 0
    }

    /// Writes one of the transfer's records; a failure says what it means for the update.
    private static func writeRecord(_ value: JSONValue, to path: String, paths: OTAPaths) throws(OTAError) {
        do throws(OTAError) { try OTARecordFile.write(value, to: path, directory: paths.directory) } catch {
            guard case .io(let cause) = error else { throw error }
            throw .recordNotWritten(path: path, reason: cause.description)
        }
    }

    /// Hands the same work to `worker` (off the loop); false when it is still busy.
    func persist(on worker: OTAPersistWorker) -> Bool {
        guard worker.submit(slot: file.fd, record: Array(recordJSON.serialized().utf8), path: paths.transfer,
                            received: bitmap.received) else { return false }
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
        if usesDelta { object.append("delta", .bool(true)) }
        return .object(object)
    }

    /// Size, chunk count and chunk digests of what travels: the image, or its delta.
    static func geometry(_ manifest: OTAManifest, delta: Bool) -> (size: Int, count: Int, digests: [UInt8]) {
        guard delta, let patch = manifest.delta else { return (manifest.size, manifest.chunkCount, manifest.chunkDigests) }
        return (patch.size, (patch.size + manifest.chunkSize - 1) / manifest.chunkSize, patch.chunkDigests)
    }

    /// Percent of chunks received, 0 to 100.
    public var percent: Int { bitmap.count == 0 ? 100 : bitmap.received * 100 / bitmap.count }

    /// Forgets the transfer's records (after installing, or when a new image replaces it).
    /// Best effort, and safe so: without `transfer.json` a leftover `manifest.json` resumes
    /// nothing, and a leftover `transfer.json` resumes only while the state record still
    /// marks its slot as receiving that very image (`OTAReceiver.resumeInterrupted`).
    static func discardRecord(paths: OTAPaths) {
        try? FileSystem.remove(paths.transfer)
        try? FileSystem.remove(paths.manifest)
    }
}
