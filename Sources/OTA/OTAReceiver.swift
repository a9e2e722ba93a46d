import CSupport
import Crypto
import Runtime

/// The receiving side of an update, without MQTT: decides whether a manifest may start a
/// transfer, stores chunks into the inactive slot, checks the complete image and installs it
/// in the state record. The service drives it from the broker; tests drive it directly.
public final class OTAReceiver {
    public let paths: OTAPaths
    public let keys: [Ed25519.PublicKey]
    /// This gateway's `node.name`: a manifest must be signed for it.
    public let node: String
    /// The version running now (what an update must be newer than).
    public let runningVersion: String
    /// The slot running now (`factory` when not started by the supervisor).
    public let runningSlot: OTASlot
    public let architecture: String
    /// This gateway's `ota.group` (empty: in no group): a group manifest must name it.
    public var group = ""
    /// This gateway's `board.name`, for a group manifest that names a board.
    public var board = ""
    public private(set) var transfer: OTATransfer?
    let states: OTAStateStore

    public init(paths: OTAPaths, keys: [Ed25519.PublicKey], node: String, runningVersion: String, runningSlot: OTASlot,
                architecture: String = ELFHeader.hostArchitecture) {
        self.paths = paths
        self.keys = keys
        self.node = node
        self.runningVersion = runningVersion
        self.runningSlot = runningSlot
        self.architecture = architecture
        states = OTAStateStore(paths: paths)
    }

    /// Picks up a transfer a restart interrupted; true when there is one. Records that
    /// cannot be used are removed and the reason thrown: the sender starts that image over.
    @discardableResult
    public func resumeInterrupted() throws(OTAError) -> Bool {
        guard transfer == nil else { return true }
        guard let found = try OTATransfer.resume(paths: paths, keys: keys) else { return false }
        let record: OTAStateRecord
        do throws(OTAError) { record = try states.load() } catch {
            OTATransfer.discardRecord(paths: paths)
            throw error
        }
        // Only a slot still marked as receiving that image may be continued; otherwise the
        // record moved on (installed or given up just before a restart) and these are stale.
        guard record[found.slot].status == .receiving, record[found.slot].sha256 == found.manifest.digestHex,
              found.slot != runningSlot else {
            OTATransfer.discardRecord(paths: paths)
            return false
        }
        transfer = found
        return true
    }

    /// What a manifest led to.
    public enum ManifestOutcome: Equatable {
        /// A new transfer into `slot`.
        case started(OTASlot)
        /// The transfer in progress (same image): carry on, ask for what is missing.
        case resumed
    }

    /// Parses `payload` and hands it to `accept(_:now:)`.
    @discardableResult
    public func accept(manifest payload: [UInt8], now: Int = OTAReceiver.wallClockSeconds()) throws(OTAError) -> ManifestOutcome {
        try accept(try OTAManifest.parse(payload), now: now)
    }

    /// Checks `manifest` and starts (or resumes) its transfer; `now` is the wall clock in
    /// seconds since the epoch. Refusals say why; nothing is written for a refused manifest
    /// and the running transfer, if any, carries on.
    @discardableResult
    public func accept(_ manifest: OTAManifest, now: Int = OTAReceiver.wallClockSeconds()) throws(OTAError) -> ManifestOutcome {
        guard !keys.isEmpty else { throw .refused("no OTA public key configured (set ota.public_keys)") }
        guard manifest.isSigned(byOneOf: keys) else {
            throw .refused("bad signature: the manifest is not signed by a configured OTA key")
        }
        switch manifest.target {
        case .node(let name):
            guard name == node else {
                throw .refused("wrong target: the manifest is for node " + name + ", this gateway is " + node)
            }
        case .group(let name):
            guard !group.isEmpty else {
                throw .refused("wrong target: the manifest is for group " + name + ", and this gateway is in no group")
            }
            guard name == group else {
                throw .refused("wrong target: the manifest is for group " + name + ", this gateway is in " + group)
            }
            if let reason = manifest.audience.excludes(node: node, board: board, running: runningVersion) {
                throw .refused("not targeted: " + reason)
            }
        }
        // The same image again (a sender resending its manifest, or pushing again after an
        // interruption): carry on with what is on disk. Same chunk size, so the same chunks.
        let record = try states.load()
        if let transfer, transfer.manifest.digestHex == manifest.digestHex, transfer.manifest.chunkSize == manifest.chunkSize {
            // A later manifest for it spends its serial too (a resend of the same one does not write).
            if manifest.serial > record.lastSerial {
                try writeRecord { record in record.lastSerial = max(record.lastSerial, manifest.serial) }
            }
            return .resumed
        }
        try OTAReceiver.checkFresh(manifest, record: record, now: now)
        guard manifest.architecture == architecture else {
            throw .refused("wrong architecture: the image is for " + manifest.architecture + ", this gateway is "
                + architecture)
        }
        try checkVersion(manifest)
        // A fleet's next wave names every node so far: one that rolled this image back must
        // not take it again (a node push may, on purpose).
        if case .group = manifest.target, record[runningSlot.inactive].status == .bad,
           record[runningSlot.inactive].sha256 == manifest.digestHex {
            throw .refused("this image was rolled back here before; it is not installed again")
        }
        if record.trial && record.active == runningSlot && runningSlot != .factory {
            throw .refused("the running firmware is still on trial; try again once it is committed")
        }
        let slot = runningSlot.inactive
        // Mark the slot unbootable before the first byte goes in: a power cut mid-transfer
        // must never leave the supervisor a half-written binary to start. The serial is
        // spent from here on: this manifest, or any before it, is never taken again.
        try writeRecord { record in
            record[slot] = OTASlotInfo(status: .receiving, version: manifest.version.description,
                                       sha256: manifest.digestHex)
            if record.previous == slot { record.previous = .factory }
            record.lastSerial = manifest.serial
        }
        transfer = nil
        do throws(OTAError) {
            let started = try OTATransfer.begin(manifest, into: slot, paths: paths,
                                                delta: canUseDelta(manifest, record: record))
            try started.persist()
            transfer = started
        } catch {
            // A full disk or an I/O error before the first chunk: nothing of it may stay
            // behind. Should even this record write fail, the slot stays `receiving`, which
            // the supervisor never starts, and the caller hears of both.
            OTATransfer.discardRecord(paths: paths)
            var failure = error
            var leftover = ""
            do throws(OTAError) { try removeSlotFile(slot) } catch { leftover = "; the slot file stays: " + error.description }
            do throws(OTAError) {
                try writeRecord { record in
                    record[slot] = OTASlotInfo(status: .empty)
                    record.lastFailure = error.description + leftover
                }
            } catch {
                failure = OTAReceiver.combined(error, after: failure)
            }
            throw failure
        }
        return .started(slot)
    }

    /// Refuses a manifest that is expired or not newer (by serial) than the last one taken.
    ///
    /// The clock: a gateway without a battery-backed clock starts in 1970 until something
    /// sets the time (a later issue adds time sync). "Now" is therefore never taken to be
    /// earlier than `OTAManifest.clockFloor` (about when this firmware was written) or than
    /// the signing time of the last manifest accepted (its serial, milliseconds at signing):
    /// with an unset clock a manifest that expired before either is still refused, and one
    /// that did not is judged by its serial, which a replay can never pass.
    static func checkFresh(_ manifest: OTAManifest, record: OTAStateRecord, now: Int) throws(OTAError) {
        let effectiveNow = max(now, OTAManifest.clockFloor, record.lastSerial / 1000)
        guard manifest.expires > effectiveNow else {
            throw .refused("expired: the manifest was valid until " + WallClock.iso8601(millisecondsSinceEpoch: Int64(manifest.expires) * 1000)
                + ", it is now " + WallClock.iso8601(millisecondsSinceEpoch: Int64(effectiveNow) * 1000)
                + (effectiveNow > now ? " or later (the gateway's clock is not set)" : ""))
        }
        guard manifest.serial > record.lastSerial else {
            throw .refused("replayed: serial " + String(manifest.serial) + " is not above the last accepted "
                + String(record.lastSerial) + " (sign a new manifest with `switchyard ota push`)")
        }
    }

    /// Newer installs; the same version only with `force`; older only with `downgrade`.
    func checkVersion(_ manifest: OTAManifest) throws(OTAError) {
        if manifest.downgrade { return }
        guard let running = OTAVersion(runningVersion) else {
            throw .refused("running version \"" + runningVersion + "\" cannot be compared; push with --downgrade "
                + "to install regardless")
        }
        if running < manifest.version { return }
        if running == manifest.version {
            guard manifest.force else {
                throw .refused("version " + manifest.version.description + " is the running one (push with --force "
                    + "to install it again)")
            }
            return
        }
        throw .refused("version " + manifest.version.description + " is older than the running " + runningVersion
            + " (push with --downgrade to go back; --force only reinstalls the same version)")
    }

    /// Whether this gateway runs the base of the manifest's delta: then it fetches the patch,
    /// else (another base, the factory binary, no delta) the full image.
    func canUseDelta(_ manifest: OTAManifest, record: OTAStateRecord) -> Bool {
        guard let delta = manifest.delta, runningSlot != .factory, let base = paths.binary(runningSlot) else { return false }
        return record[runningSlot].sha256 == delta.baseHex && access(base, R_OK) == 0
    }

    /// Turns the patch a delta transfer wrote into the slot file into the image: base (the
    /// running slot) plus patch, written atomically over the slot file. The image is then
    /// checked as any other (`makeCheck`). Holds base, patch and image in memory at once (a
    /// few MiB each for a firmware).
    public func rebuildFromDelta() throws(OTAError) {
        guard let transfer, transfer.usesDelta, let delta = transfer.manifest.delta, let slotPath = paths.binary(transfer.slot),
              let basePath = paths.binary(runningSlot) else { return }
        let patch: [UInt8], base: [UInt8]
        do throws(RuntimeError) {
            patch = try FileSystem.read(slotPath, limit: delta.size) ?? []
            base = try FileSystem.read(basePath, limit: OTAManifest.maxImageSize) ?? []
        } catch {
            throw .io(error)
        }
        guard base.withUnsafeBytes({ SHA256.hash($0) }) == delta.baseSHA256 else {
            throw .refused("delta: the running slot is not the delta's base any more")
        }
        let image = try ZstdPatch.apply(patch, to: base, size: transfer.manifest.size)
        do throws(RuntimeError) { try FileSystem.replaceAtomically(path: slotPath, bytes: image, mode: 0o755) } catch {
            throw .io(error)
        }
    }

    /// Starts the checks of the complete image in its slot.
    public func makeCheck() throws(OTAError) -> OTAImageCheck {
        guard let transfer, let path = paths.binary(transfer.slot) else { throw .refused("no transfer in progress") }
        return try OTAImageCheck(path: path, manifest: transfer.manifest, architecture: architecture)
    }

    /// Makes the checked image the active slot, on trial: the supervisor starts it next and
    /// rolls back if it does not become healthy. Returns the record written.
    @discardableResult
    public func install() throws(OTAError) -> OTAStateRecord {
        guard let transfer else { throw .refused("no transfer in progress") }
        let manifest = transfer.manifest
        let running = runningSlot
        let record = try writeRecord { record in
            record[transfer.slot] = OTASlotInfo(status: .trial, version: manifest.version.description,
                                                sha256: manifest.digestHex)
            record.previous = running
            record.active = transfer.slot
            record.trial = true
            record.trialStarts = 0
            record.trialCrashes = 0
            record.rolledBack = false
            record.lastFailure = ""
        }
        OTATransfer.discardRecord(paths: paths)
        self.transfer = nil
        return record
    }

    /// Gives up the transfer in progress (a failed check, a full disk, `ota abort`): the
    /// slot file goes first (on a full disk that is what makes room for the record), then
    /// the slot is marked empty with `reason` kept as the last failure. Throws when the slot
    /// file cannot be removed or the record cannot be written (the record is written even
    /// when the file stays); the transfer is forgotten either way.
    public func abandon(reason: String) throws(OTAError) {
        guard let transfer else { return }
        let slot = transfer.slot
        self.transfer = nil
        OTATransfer.discardRecord(paths: paths)
        var removal: OTAError? = nil
        do throws(OTAError) { try removeSlotFile(slot) } catch { removal = error }
        try writeRecord { record in
            record[slot] = OTASlotInfo(status: .empty)
            record.lastFailure = reason
        }
        if let removal { throw removal }
    }

    /// Records a refused manifest as the last failure (for `ota status`).
    public func noteRefusal(_ reason: String) throws(OTAError) {
        try writeRecord { record in record.lastFailure = reason }
    }

    /// The wall clock in seconds since the epoch.
    public static func wallClockSeconds() -> Int { Int(WallClock.millisecondsSinceEpoch() / 1000) }

    // A slot file is never left without a record that says what it holds: the space is
    // the data partition's, and a stale image must not look like a candidate.
    private func removeSlotFile(_ slot: OTASlot) throws(OTAError) {
        guard slot != runningSlot, let path = paths.binary(slot) else { return }
        do throws(RuntimeError) { try FileSystem.remove(path) } catch { throw .io(error) }
    }

    /// `states.update`, with a failure to write said as what it means for the update: it
    /// stops, and the record (which slot boots) stays as it was.
    @discardableResult
    private func writeRecord(_ change: (inout OTAStateRecord) -> Void) throws(OTAError) -> OTAStateRecord {
        do throws(OTAError) { return try states.update(change) } catch {
            guard case .io(let cause) = error else { throw error }
            throw .recordNotWritten(path: paths.state, reason: cause.description)
        }
    }

    /// A failure while cleaning up after `first`: the record's failure is the one to act on,
    /// so it leads, and the first is kept in its reason.
    private static func combined(_ cleanup: OTAError, after first: OTAError) -> OTAError {
        guard case .recordNotWritten(let path, let reason) = cleanup else { return first }
        return .recordNotWritten(path: path, reason: reason + ", after " + first.description)
    }
}
