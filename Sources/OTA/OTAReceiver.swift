import Crypto
import Runtime

/// The receiving side of an update, without MQTT: decides whether a manifest may start a
/// transfer, stores chunks into the inactive slot, checks the complete image and installs it
/// in the state record. The service drives it from the broker; tests drive it directly.
public final class OTAReceiver {
    public let paths: OTAPaths
    public let keys: [Ed25519.PublicKey]
    /// The version running now (what an update must be newer than).
    public let runningVersion: String
    /// The slot running now (`factory` when not started by the supervisor).
    public let runningSlot: OTASlot
    public let architecture: String
    public private(set) var transfer: OTATransfer?
    let states: OTAStateStore

    public init(paths: OTAPaths, keys: [Ed25519.PublicKey], runningVersion: String, runningSlot: OTASlot,
                architecture: String = ELFHeader.hostArchitecture) {
        self.paths = paths
        self.keys = keys
        self.runningVersion = runningVersion
        self.runningSlot = runningSlot
        self.architecture = architecture
        states = OTAStateStore(paths: paths)
    }

    /// Picks up a transfer a restart interrupted; true when there is one.
    @discardableResult
    public func resumeInterrupted() -> Bool {
        guard transfer == nil else { return true }
        guard let found = OTATransfer.resume(paths: paths, keys: keys) else { return false }
        // Only a slot still marked as receiving that image may be continued.
        guard let record = try? states.load(), record[found.slot].status == .receiving,
              record[found.slot].sha256 == found.manifest.digestHex, found.slot != runningSlot else {
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

    /// Checks `payload` and starts (or resumes) its transfer. Refusals say why; nothing is
    /// written for a refused manifest and the running transfer, if any, carries on.
    public func accept(manifest payload: [UInt8]) throws(OTAError) -> ManifestOutcome {
        let manifest = try OTAManifest.parse(payload)
        guard !keys.isEmpty else { throw .refused("no OTA public key configured (set ota.public_keys)") }
        guard manifest.isSigned(byOneOf: keys) else {
            throw .refused("bad signature: the manifest is not signed by a configured OTA key")
        }
        if let transfer, transfer.manifest.digestHex == manifest.digestHex {
            return .resumed
        }
        guard manifest.architecture == architecture else {
            throw .refused("wrong architecture: the image is for " + manifest.architecture + ", this gateway is "
                + architecture)
        }
        if !manifest.force {
            guard let running = OTAVersion(runningVersion) else {
                throw .refused("running version \"" + runningVersion + "\" cannot be compared; push with --force")
            }
            guard running < manifest.version else {
                throw .refused("version " + manifest.version.description + " is not newer than the running "
                    + runningVersion + " (push with --force to install it anyway)")
            }
        }
        let record = try states.load()
        if record.trial && record.active == runningSlot && runningSlot != .factory {
            throw .refused("the running firmware is still on trial; try again once it is committed")
        }
        let slot = runningSlot.inactive
        // Mark the slot unbootable before the first byte goes in: a power cut mid-transfer
        // must never leave the supervisor a half-written binary to start.
        try states.update { record in
            record[slot] = OTASlotInfo(status: .receiving, version: manifest.version.description,
                                       sha256: manifest.digestHex)
            if record.previous == slot { record.previous = .factory }
        }
        transfer = nil
        let started = try OTATransfer.begin(manifest, into: slot, paths: paths)
        try started.persist()
        transfer = started
        return .started(slot)
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
        let record = try states.update { record in
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

    /// Gives up the transfer in progress (a failed check, `ota abort`): the slot stays
    /// marked as unbootable and the record of the transfer goes, with `reason` kept as the
    /// last failure.
    public func abandon(reason: String) {
        guard let transfer else { return }
        let slot = transfer.slot
        _ = try? states.update { record in
            record[slot] = OTASlotInfo(status: .empty)
            record.lastFailure = reason
        }
        OTATransfer.discardRecord(paths: paths)
        self.transfer = nil
    }

    /// Records a refused manifest as the last failure (for `ota status`).
    public func noteRefusal(_ reason: String) {
        _ = try? states.update { record in record.lastFailure = reason }
    }
}
