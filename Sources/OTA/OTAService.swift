import CSupport
import Crypto
import JSON
import Runtime
import ServiceKit
import Store

/// Issue 12: signed, resumable firmware updates over the gateway's own broker connection.
/// Takes a manifest and numbered chunks into the inactive slot, asks for what is missing
/// after a reconnect or restart, checks the whole image, installs it on trial and asks for a
/// restart; the supervisor (`switchyard supervise`) does the rest. Progress goes to the
/// retained `ota/status` topic and the `state` heartbeat.
public final class OTAService: Service {
    /// The catalogue's entry; `version` is the running binary's own version.
    public static func descriptor(version: String) -> ServiceDescriptor {
        ServiceDescriptor(
            name: "ota", summary: "Signed A/B firmware updates over MQTT (switchyard ota push), rolled back if unhealthy.",
            enabled: OTAConfigKeys.enabled, keys: OTAConfigKeys.all + WatchdogConfigKeys.all,
            commands: [OTACommand.command, SuperviseCommand.command, FleetCommand.command],
            make: { context in OTAService(context: context, builtVersion: version) })
    }

    /// The environment variable in which the supervisor tells its child which slot it runs.
    public static let slotVariable = "SWITCHYARD_SLOT"

    let context: ServiceContext
    let topics: OTATopics
    let paths: OTAPaths
    /// The version compiled into this binary.
    let builtVersion: String
    /// The slot this process was started from (`factory` without a supervisor).
    public let runningSlot: OTASlot
    /// Whether `switchyard supervise` started this process (it sets `slotVariable`): without
    /// it nobody would start the new slot or roll it back, so updates are refused.
    public let isSupervised: Bool
    public private(set) var status = OTAStatus(state: .idle)
    public internal(set) var stats = OTAStats()
    private(set) var receiver: OTAReceiver?
    private var keysProblem: String?
    private var keys: [Ed25519.PublicKey] = []
    private var check: OTAImageCheck?
    /// Periodic syncs of a transfer, off the loop (nil between transfers).
    private var persister: OTAPersistWorker?
    private var checkTimer: OneShotTimer?
    private var tick: FixedRateTask?
    private var connectToken: PortToken?
    /// The fleet this gateway belongs to (`ota.group`), nil when none.
    let fleet: FleetTopics?
    /// The retained chunks of a group transfer while it receives: subscribed when it starts,
    /// again after a stall (the broker sends every retained chunk anew), dropped when done.
    var fleetChunks: (topics: OTATopics, token: PortToken)?
    private var lastChunkAt = Instant(nanoseconds: 0)
    private var lastNeedAt = Instant(nanoseconds: 0)
    private var lastStatusAt = Instant(nanoseconds: 0)
    private var statusDirty = false
    private var started = false
    private let log: Logger
    /// Refusals and corrupt chunks are logged through this: anyone on the broker can send
    /// them by the thousand, and each must not cost a line.
    let notices: LogLimiter
    /// The last refusal not yet written to the record, and when the record was last written
    /// for one: a flood of bad manifests writes it at most once per `refusalWriteInterval`.
    private var pendingRefusal: String?
    private var lastRefusalWrite: Instant?
    private var refusalTimer: OneShotTimer?
    static let refusalWriteInterval = Interval.seconds(1)

    /// The service as the gateway makes it: the slot and whether a supervisor runs it come
    /// from `slotVariable`.
    public convenience init(context: ServiceContext, builtVersion: String) {
        var slot = OTASlot.factory
        let variable = getenv(OTAService.slotVariable)
        if let variable, let named = OTASlot(name: String(cString: variable)) { slot = named }
        self.init(context: context, builtVersion: builtVersion, runningSlot: slot, isSupervised: variable != nil)
    }

    /// The service running from `runningSlot` (tests say so directly: the environment is the process's).
    init(context: ServiceContext, builtVersion: String, runningSlot: OTASlot, isSupervised: Bool) {
        self.context = context
        self.builtVersion = builtVersion
        topics = OTATopics(prefix: context.topicPrefix)
        let group = context.store.value(OTAConfigKeys.group)
        fleet = group.isEmpty ? nil : FleetTopics(group: group)
        paths = OTAPaths(dataDirectory: context.store.dataDirectory)
        log = context.log
        notices = LogLimiter(log: context.log, clock: context.clock, interval: .seconds(10))
        self.runningSlot = runningSlot
        self.isSupervised = isSupervised
        for text in context.store.value(OTAConfigKeys.publicKeys) {
            do throws(CryptoError) {
                let bytes = try Hex.decode(text)
                keys.append(try Ed25519.PublicKey(raw: bytes))
            } catch {
                keysProblem = "an entry is not a public key (" + error.description + "); use the 64 hex digits of "
                    + "`switchyard ota keygen`'s .pub file"
            }
        }
    }

    /// The record as it stands (nil when unreadable).
    func loadRecord() -> OTAStateRecord? { try? OTAStateStore(paths: paths).load() }

    /// The record as last read (at start, after our own writes, while polling a trial):
    /// reading `state` never touches the disk.
    private(set) var record: OTAStateRecord?

    /// Reads the record again; true when it changed since the last read.
    @discardableResult
    func refreshRecord() -> Bool {
        let fresh = loadRecord()
        defer { record = fresh }
        return fresh != record
    }

    /// What runs now: the slot's recorded version under the supervisor, else this binary's.
    public var runningVersion: String {
        guard runningSlot != .factory, let record, !record[runningSlot].version.isEmpty else { return builtVersion }
        return record[runningSlot].version
    }

    // MARK: Service

    public func start() throws(ServiceError) {
        guard !started else { return }
        if let keysProblem { throw .invalidSetting(key: OTAConfigKeys.publicKeys.name, reason: keysProblem) }
        if let fleet, !OTATarget.isName(fleet.group) {
            throw .invalidSetting(key: OTAConfigKeys.group.name, reason: "not a group name: 1 to 64 letters, digits, "
                + "'-', '_' or '.'")
        }
        started = true
        refreshRecord()
        let receiver = OTAReceiver(paths: paths, keys: keys, node: context.node, runningVersion: runningVersion,
                                   runningSlot: runningSlot)
        receiver.group = fleet?.group ?? ""
        self.receiver = receiver
        status = idleStatus()
        do throws(OTAError) {
            if try receiver.resumeInterrupted(), let transfer = receiver.transfer {
                log.info("resuming the transfer of " + transfer.manifest.version.description + ": "
                    + String(transfer.bitmap.received) + " of " + String(transfer.bitmap.count) + " chunks on disk")
                setStatus(receivingStatus(transfer))
                context.report(attention: .updating)
            }
        } catch {
            log.warning("the interrupted transfer cannot be resumed (" + error.description
                + "); its records are removed and the next push starts it over")
        }
        if keys.isEmpty { context.report(.degraded("no OTA public key: every update is refused (set ota.public_keys)")) }
        _ = context.subscribe(topics.manifest, qos: 1) { [self] message in self.handleManifest(message.payload) }
        _ = context.subscribe(topics.chunkFilter, qos: 1) { [self] message in self.handleChunk(message) }
        if let fleet {
            _ = context.subscribe(fleet.manifest, qos: 1) { [self] message in self.handleFleetManifest(message.payload) }
        }
        connectToken = context.port.onConnect { [self] in
            self.publishStatus()
            self.askForMissing()
        }
        publishStatus()
        updateTicking()
    }

    public func stop() {
        guard started else { return }
        started = false
        tick?.cancel()
        tick = nil
        checkTimer?.cancel()
        checkTimer = nil
        check = nil
        if let connectToken { context.port.removeConnectHandler(connectToken) }
        connectToken = nil
        dropFleetChunks()
        stopPersister()
        if let transfer = receiver?.transfer, transfer.unsaved > 0 {
            // The chunks stay in the slot file; without the record they are sent again.
            do throws(OTAError) { try transfer.persist() } catch {
                log.error("the transfer's progress is not recorded; its last chunks come again: " + error.description)
            }
        }
        refusalTimer?.cancel()
        refusalTimer = nil
        writeRefusal()
        receiver = nil
        context.report(attention: .none)
    }

    public func stateJSON() -> JSONValue {
        var object = JSONObject(minimumCapacity: 6)
        object.append("running", .string(runningVersion))
        object.append("slot", .string(runningSlot.name))
        if let fleet { object.append("group", .string(fleet.group)) }
        object.append("trial", .bool(isOnTrial))
        object.append("update", status.json(running: runningVersion, slot: runningSlot, serial: lastSerial))
        object.append("stats", stats.json)
        return .object(object)
    }

    public var commands: [Command] {
        [Command("ota", usage: "status|abort|stage FILE",
                 help: "Shows the firmware slots, versions, trial state and last failure, abandons the transfer in progress, or installs a signed update file (switchyard ota sign).",
                 remote: .readOnly(["", "status"])) {
            [self] request in self.command(request)
        }]
    }

    // MARK: receiving

    /// Whether the running slot is a new firmware on trial: the supervisor commits it or
    /// rolls it back, and nothing here may change the record or the status meanwhile.
    var isOnTrial: Bool {
        guard let record, runningSlot != .factory else { return false }
        return record.trial && record.active == runningSlot
    }

    /// Whether chunks are being taken (a transfer, not yet checking).
    var isReceiving: Bool { receiver?.transfer != nil && check == nil }

    /// The last manifest serial accepted, as the status reports it for `ota push`.
    var lastSerial: Int { record?.lastSerial ?? 0 }

    func handleManifest(_ payload: [UInt8]) {
        guard let receiver else { return }
        stats.manifests += 1
        let manifest: OTAManifest
        do throws(OTAError) { manifest = try OTAManifest.parse(payload) } catch {
            refuse(error.description, about: nil)
            return
        }
        // The image already running (a sender repeating its manifest after our restart):
        // say where it stands instead of refusing it as "not newer".
        if let record, runningSlot != .factory, record[runningSlot].sha256 == manifest.digestHex {
            if isOnTrial {
                publishOnce(idleStatus())
            } else {
                setStatus(idleStatus())
            }
            return
        }
        // On trial, the running firmware is the supervisor's to commit or roll back: a new
        // manifest is answered, and changes neither the record nor the trial's status.
        guard !isOnTrial else {
            refuse("the running firmware " + runningVersion + " is still on trial; try again once it is committed",
                   about: manifest)
            return
        }
        do throws(OTAError) {
            guard isSupervised else {
                throw OTAError.refused("this gateway runs without `switchyard supervise`, which starts a new slot and rolls "
                    + "it back: start it that way to take updates")
            }
            // A worker still syncing an earlier image must not write after the new record.
            if manifest.digestHex != receiver.transfer?.manifest.digestHex { stopPersister() }
            switch try receiver.accept(manifest) {
            case .started(let slot):
                refreshRecord()
                guard let transfer = receiver.transfer else { return }
                log.info("receiving " + transfer.manifest.version.description + " into slot " + slot.name + ": "
                    + String(transfer.manifest.size) + " bytes in " + String(transfer.manifest.chunkCount) + " chunks")
                check = nil
                checkTimer?.cancel()
                lastChunkAt = context.clock.now()
                setStatus(receivingStatus(transfer))
                context.report(attention: .updating)
            case .resumed:
                refreshRecord()
                // The need first: the sender takes it as the list of what to send.
                askForMissing()
                if let transfer = receiver.transfer { setStatus(receivingStatus(transfer)) }
            }
        } catch {
            // An I/O failure may have left its mark in the record (the slot given up).
            switch error {
            case .io, .recordNotWritten: refreshRecord()
            case .invalidManifest, .refused, .invalidRecord: break
            }
            refuse(error.description, about: manifest)
        }
    }

    /// Answers a refused manifest: counted, logged at a limited rate, the reason kept in the
    /// record at most once per `refusalWriteInterval`, and published for its sender. While an
    /// update is under way (receiving, checking, on trial) the refusal goes out once, not
    /// retained, so the update's own status stays what `ota/status` holds.
    private func refuse(_ reason: String, about manifest: OTAManifest?) {
        stats.refused += 1
        notices.warning("refused", "update refused: " + reason)
        var refused = OTAStatus(state: .refused, reason: reason)
        if let manifest {
            refused.version = manifest.version.description
            refused.sha256 = manifest.digestHex
        }
        if isOnTrial || receiver?.transfer != nil || check != nil {
            publishOnce(refused)
        } else {
            setStatus(refused)
        }
        // The trial's record is the supervisor's to write.
        guard !isOnTrial else { return }
        pendingRefusal = reason
        guard refusalTimer == nil else { return }
        let now = context.clock.now()
        if let last = lastRefusalWrite, now - last < OTAService.refusalWriteInterval {
            refusalTimer = context.loop.after(OTAService.refusalWriteInterval - (now - last)) { [self] in
                self.refusalTimer = nil
                self.writeRefusal()
            }
        } else {
            writeRefusal()
        }
    }

    /// Writes the pending refusal's reason as the record's last failure.
    private func writeRefusal() {
        guard let reason = pendingRefusal, let receiver, !isOnTrial else { return }
        pendingRefusal = nil
        lastRefusalWrite = context.clock.now()
        do throws(OTAError) { try receiver.noteRefusal(reason) } catch {
            notices.log(.error, key: "record") { "cannot record the refusal: " + error.description }
        }
        refreshRecord()
    }

    func handleChunk(_ message: MQTTMessage) {
        guard let receiver, let transfer = receiver.transfer, check == nil else {
            stats.chunksIgnored += 1
            return
        }
        guard let index = topics.chunkIndex(message.topic) ?? fleetChunks?.topics.chunkIndex(message.topic) else {
            stats.chunksDropped += 1
            return
        }
        do throws(OTAError) {
            switch try transfer.store(chunk: index, message.payload) {
            case .stored:
                stats.chunks += 1
                lastChunkAt = context.clock.now()
            case .duplicate:
                stats.duplicates += 1
                return
            case .dropped(let reason):
                stats.chunksDropped += 1
                log.debug("chunk dropped: " + reason)
                return
            case .corrupt(let reason):
                stats.chunksCorrupt += 1
                notices.warning("corrupt", "chunk refused: " + reason + " (waiting for a good copy)")
                return
            }
            if transfer.bitmap.isComplete {
                // The last sync on the loop, after the worker's: nothing may overtake it.
                stopPersister()
                try transfer.persist()
                beginCheck()
            } else {
                if transfer.unsaved >= 64 { try persistProgress(transfer) }
                status.percent = transfer.percent
                statusDirty = true
            }
        } catch {
            fail(error.description)
        }
    }

    /// Publishes which chunks are missing (after a reconnect, a restart, or a stall).
    func askForMissing() {
        guard let transfer = receiver?.transfer, check == nil, context.port.isConnected else { return }
        lastNeedAt = context.clock.now()
        if case .group = transfer.manifest.target {
            // Nobody answers a need in a fleet: the chunks lie retained on the broker, and a
            // new subscription brings every one of them again.
            dropFleetChunks()
            syncFleetChunks()
            return
        }
        var ranges: [JSONValue] = []
        for range in transfer.bitmap.missingRanges(limit: 64) {
            ranges.append([.int(range.lowerBound), .int(range.upperBound)])
        }
        let need: JSONValue = ["sha256": .string(transfer.manifest.digestHex), "missing": .array(ranges),
                               "received": .int(transfer.bitmap.received), "chunks": .int(transfer.bitmap.count)]
        stats.needs += 1
        context.port.publish(topics.need, Array(need.serialized().utf8), qos: 1, retain: false)
    }

    /// Records progress: on the worker thread when there is one and it is free, else (no
    /// thread could be started) here. A busy worker means the next tick tries again.
    private func persistProgress(_ transfer: OTATransfer) throws(OTAError) {
        if persister == nil {
            do throws(RuntimeError) {
                // Holds the service until `stopPersister()` (stop, failure, the image complete).
                persister = try OTAPersistWorker(loop: context.loop) { [self] outcome in
                    if let failure = outcome.failure {
                        self.fail(OTAError.recordNotWritten(path: self.paths.transfer, reason: failure).description)
                    }
                }
            } catch {
                log.warning("no worker thread for syncing (" + error.description + "); syncing on the loop")
            }
        }
        guard let persister else {
            try transfer.persist()
            return
        }
        if persister.pending == 0 { _ = transfer.persist(on: persister) }
    }

    private func stopPersister() {
        persister?.stop()
        persister = nil
    }

    // MARK: checking and installing

    private func beginCheck() {
        guard let receiver, let transfer = receiver.transfer else { return }
        if transfer.usesDelta {
            // Rebuilding takes a few tens of ms for a firmware: once, on the loop.
            do throws(OTAError) { try receiver.rebuildFromDelta() } catch {
                stats.refused += 1
                let reason = error.description
                log.warning("update refused: " + reason)
                abandonTransfer(reason: reason)
                context.report(attention: .none)
                setStatus(OTAStatus(state: .refused, version: transfer.manifest.version.description,
                                    sha256: transfer.manifest.digestHex, reason: reason))
                return
            }
            log.info("rebuilt " + transfer.manifest.version.description + " from a delta of "
                + String(transfer.manifest.delta?.size ?? 0) + " bytes")
        }
        do throws(OTAError) { check = try receiver.makeCheck() } catch {
            fail(error.description)
            return
        }
        setStatus(OTAStatus(state: .verifying, percent: 100, version: transfer.manifest.version.description,
                            sha256: transfer.manifest.digestHex))
        scheduleCheckStep()
    }

    // One step per loop pass, so MQTT and the other services keep running while we hash.
    private func scheduleCheckStep() {
        checkTimer = context.loop.after(.zero) { [self] in self.checkStep() }
    }

    private func checkStep() {
        guard let check, let receiver, let transfer = receiver.transfer else { return }
        let outcome: OTAImageCheck.Outcome
        do throws(OTAError) { outcome = try check.step() } catch {
            fail(error.description)
            return
        }
        switch outcome {
        case .inProgress:
            scheduleCheckStep()
        case .refused(let reason):
            self.check = nil
            stats.refused += 1
            log.warning("update refused: " + reason)
            abandonTransfer(reason: reason)
            context.report(attention: .none)
            setStatus(OTAStatus(state: .refused, version: transfer.manifest.version.description,
                                sha256: transfer.manifest.digestHex, reason: reason))
        case .passed:
            self.check = nil
            let version = transfer.manifest.version.description
            let slot = transfer.slot
            do throws(OTAError) { try receiver.install() } catch {
                fail(error.description)
                return
            }
            refreshRecord()
            log.info("installed " + version + " in slot " + slot.name + " on trial; restarting into it")
            setStatus(OTAStatus(state: .installed, percent: 100, version: version, sha256: transfer.manifest.digestHex))
            context.requestRestart("ota: switching to slot " + slot.name + " (" + version + ")")
        }
    }

    /// A failure of our own (disk full, I/O): the transfer goes, the running firmware stays.
    private func fail(_ reason: String) {
        check = nil
        stopPersister()
        let about = receiver?.transfer
        abandonTransfer(reason: reason)
        context.report(attention: .none)
        log.error("update failed: " + reason)
        setStatus(OTAStatus(state: .failed, version: about?.manifest.version.description ?? "",
                            sha256: about?.manifest.digestHex ?? "", reason: reason))
    }

    /// Gives the transfer up on disk: slot file, transfer records, the slot marked empty with
    /// `reason`. A record that cannot be written is said in the log, not swallowed.
    private func abandonTransfer(reason: String) {
        do throws(OTAError) { try receiver?.abandon(reason: reason) } catch {
            log.error("cannot record the end of the transfer (" + reason + "): " + error.description)
        }
        refreshRecord()
    }

    /// `ota abort`: the slot is given up, the running firmware carries on.
    func handleAbort() -> OTATransfer? {
        guard let transfer = receiver?.transfer else { return nil }
        check = nil
        stopPersister()
        checkTimer?.cancel()
        abandonTransfer(reason: "aborted by a command")
        context.report(attention: .none)
        let version = transfer.manifest.version.description, sha256 = transfer.manifest.digestHex
        setStatus(OTAStatus(state: .failed, version: version, sha256: sha256, reason: "aborted by a command"))
        return transfer
    }

    // MARK: status

    private func receivingStatus(_ transfer: OTATransfer) -> OTAStatus {
        OTAStatus(state: .receiving, percent: transfer.percent, version: transfer.manifest.version.description,
                  sha256: transfer.manifest.digestHex)
    }

    /// Where the running firmware stands when nothing is being received.
    func idleStatus() -> OTAStatus {
        guard let record else { return OTAStatus(state: .idle, version: builtVersion) }
        let info = record[runningSlot]
        let version = runningSlot == .factory ? builtVersion : info.version
        if runningSlot != .factory && record.active == runningSlot && record.trial {
            return OTAStatus(state: .trial, percent: 100, version: version, sha256: info.sha256)
        }
        if record.rolledBack {
            let failed = record.slotA.status == .bad ? record.slotA : record.slotB
            return OTAStatus(state: .rolledBack, version: failed.version, sha256: failed.sha256,
                             reason: record.lastFailure)
        }
        if runningSlot != .factory && info.status == .good {
            return OTAStatus(state: .committed, percent: 100, version: version, sha256: info.sha256)
        }
        return OTAStatus(state: .idle, version: version, sha256: info.sha256)
    }

    private func setStatus(_ new: OTAStatus) {
        let stateChanged = new.state != status.state
        status = new
        publishStatus()
        if stateChanged { context.stateChanged() }
        updateTicking()
    }

    private func publishStatus() {
        statusDirty = false
        lastStatusAt = context.clock.now()
        // Bytes, not the `text:` extension: in the Embedded build that extension, called
        // through the existential, compiles to a trap.
        let payload = status.json(running: runningVersion, slot: runningSlot, serial: lastSerial).serialized()
        context.port.publish(topics.status, Array(payload.utf8), qos: 1, retain: true)
    }

    /// One status for whoever listens now, not retained: `ota/status` keeps the service's own.
    private func publishOnce(_ other: OTAStatus) {
        let payload = other.json(running: runningVersion, slot: runningSlot, serial: lastSerial).serialized()
        context.port.publish(topics.status, Array(payload.utf8), qos: 1, retain: false)
    }

    private func onTick() {
        let now = context.clock.now()
        if let transfer = receiver?.transfer, check == nil {
            if transfer.unsaved > 0 {
                do throws(OTAError) { try persistProgress(transfer) } catch { fail(error.description); return }
            }
            // Nothing for 3 s with chunks still missing: they were lost (our restart, a
            // broker restart, a clean session); ask again, at most every 3 s.
            if now - lastChunkAt > .seconds(3) && now - lastNeedAt > .seconds(3) { askForMissing() }
        }
        if statusDirty && now - lastStatusAt >= .milliseconds(250) { publishStatus() }
        // On trial, the supervisor commits or rolls back in the record: follow it. The
        // record, not the status, says whether we are on trial.
        if isOnTrial && refreshRecord() {
            let fresh = idleStatus()
            if fresh != status { setStatus(fresh) }
        }
        updateTicking()
    }

    /// The 500 ms task runs only while there is something to do (a transfer, a trial to
    /// follow, a progress report to send): an idle gateway gets no wake-ups from OTA.
    private func updateTicking() {
        syncFleetChunks()
        let needed = started && (receiver?.transfer != nil || isOnTrial || statusDirty)
        if needed && tick == nil {
            tick = context.loop.addTask("ota", every: .milliseconds(500)) { [self] in self.onTick() }
        } else if !needed, let running = tick {
            running.cancel()
            tick = nil
        }
    }
}
