import JSON
import Runtime

/// Keeps the BTHome replay counters (`BTHomeCounters`) across restarts, in
/// `<data dir>/ble-bthome-counters.json`: kept only in memory, every encrypted advert recorded
/// before a restart could be replayed once after it.
///
/// Saved atomically (temp file, fsync, rename, fsync of the directory) at most once per
/// `saveInterval`, to spare the SD card, and at stop. The first counter after a start is saved
/// at once. A power cut loses what was accepted since the last save: an advert from that
/// window (at most `saveInterval` old, and newer than the saved counter) could be replayed once
/// after the boot, until the device's next genuine advert moves its counter past it. Saving
/// "last + margin" would close that window, but would refuse the next `margin` genuine adverts
/// of every device after every restart, and no one margin fits devices that count once a second
/// and once an hour; the exact value, written at stop, keeps a clean restart exact.
final class BTHomeCounterStore {
    /// The file's name in the data directory.
    static let fileName = "ble-bthome-counters.json"
    /// Least time between two saves.
    static let saveInterval: Interval = .seconds(60)
    /// Largest file read: the table's bound at about 35 bytes an entry, with room to spare.
    static let fileLimit = 128 * 1024

    let path: String
    let directory: String
    private(set) var counters: BTHomeCounters
    private let loop: EventLoop
    private let log: Logger
    /// Counters accepted since the last save.
    private var dirty = false
    private var lastSave: Instant?
    private var saveTimer: OneShotTimer?
    /// Saves done, and saves that failed (each retried a `saveInterval` later).
    private(set) var saves = 0
    private(set) var saveFailures = 0
    /// File entries refused when loading (bad address or counter), and whole files refused.
    private(set) var refusedOnLoad = 0

    init(dataDirectory: String, loop: EventLoop, log: Logger, capacity: Int = BTHomeCounters.defaultCapacity) {
        directory = dataDirectory
        path = dataDirectory + "/" + BTHomeCounterStore.fileName
        counters = BTHomeCounters(capacity: capacity)
        self.loop = loop
        self.log = log
    }

    // The save timer's closure holds it strongly (Embedded Swift has no weak): `stop()`
    // cancels it, which is what lets it go.
    deinit { saveTimer?.cancel() }

    /// Reads the file, replacing what is in memory. A missing file is an empty table; a file
    /// that cannot be read or parsed is reported and leaves the table empty (it is replaced at
    /// the next save); entries that do not check out are left out and counted.
    func load() {
        let bytes: [UInt8]?
        do throws(RuntimeError) { bytes = try FileSystem.read(path, limit: BTHomeCounterStore.fileLimit) } catch {
            refusedOnLoad += 1
            log.error("cannot read the BTHome replay counters: " + error.description + "; starting without them")
            return
        }
        guard let bytes else { return }
        guard bytes.count <= BTHomeCounterStore.fileLimit, let document = try? JSONValue.parse(bytes),
              let parsed = BTHomeCounters.parse(document, capacity: counters.capacity) else {
            refusedOnLoad += 1
            log.error(path + " is not a BTHome counter file; starting without replay counters")
            return
        }
        counters = parsed.counters
        refusedOnLoad += parsed.refused
        if parsed.refused > 0 {
            log.warning(path + ": " + String(parsed.refused) + " entries refused (bad address or counter)")
        }
    }

    /// The last counter accepted from `address`.
    func last(_ address: BLEAddress) -> UInt32? { counters[address] }

    /// Remembers `counter` from `address` and schedules a save.
    func accept(_ counter: UInt32, from address: BLEAddress) {
        counters.accept(counter, from: address)
        dirty = true
        scheduleSave()
    }

    /// Saves what is not saved yet, now, and stops the timer.
    func stop() {
        saveTimer?.cancel()
        saveTimer = nil
        save()
    }

    /// Counts for `state`.
    var json: JSONValue {
        var object = JSONObject(minimumCapacity: 5)
        object.append("devices", .int(counters.count))
        object.append("saves", .int(saves))
        object.append("save_failures", .int(saveFailures))
        object.append("refused_on_load", .int(refusedOnLoad))
        object.append("evictions", .int(counters.evictions))
        return .object(object)
    }

    private func scheduleSave() {
        guard saveTimer == nil else { return }
        let now = loop.clock.now()
        let due = lastSave.map { $0 + BTHomeCounterStore.saveInterval } ?? now
        saveTimer = loop.after(due > now ? due - now : .zero) { [self] in
            self.saveTimer = nil
            self.save()
        }
    }

    private func save() {
        guard dirty else { return }
        lastSave = loop.clock.now()
        do throws(RuntimeError) {
            try FileSystem.makeDirectory(directory)
            try FileSystem.replaceAtomically(path: path, bytes: Array(counters.json.serialized().utf8), mode: 0o600)
        } catch {
            saveFailures += 1
            log.warning("cannot save the BTHome replay counters: " + error.description + "; retrying in "
                        + String(BTHomeCounterStore.saveInterval.milliseconds / 1000) + " s")
            scheduleSave()
            return
        }
        dirty = false
        saves += 1
    }
}
