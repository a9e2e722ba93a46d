import CSupport
import JSON
import Runtime

/// Reads and atomically replaces the OTA's small JSON files (state record, transfer record):
/// write a temp file, fsync it, rename it over the old one, fsync the directory. A power cut
/// at any point leaves the old file or the new one, never a torn one.
public enum OTARecordFile {
    /// Largest record read (a transfer record with a 64 Ki-chunk bitmap is about 17 KiB).
    public static let maxSize = 64 * 1024

    /// The JSON at `path`, or nil when there is no file; `limit` bounds what is read (the
    /// stored manifest, with its chunk digests, is larger than the records).
    public static func read(_ path: String, limit: Int = maxSize) throws(OTAError) -> JSONValue? {
        let bytes: [UInt8]?
        do throws(RuntimeError) { bytes = try FileSystem.read(path, limit: limit) } catch { throw .io(error) }
        guard let bytes else { return nil }
        guard bytes.count <= limit else { throw .invalidRecord(path: path, reason: "larger than \(limit) bytes") }
        do throws(JSONError) { return try JSONValue.parse(bytes) } catch {
            throw .invalidRecord(path: path, reason: error.description)
        }
    }

    /// Replaces `path` with `value` atomically (in `directory`, which it creates if needed).
    public static func write(_ value: JSONValue, to path: String, directory: String) throws(OTAError) {
        do throws(RuntimeError) {
            try FileSystem.makeDirectory(directory)
            try FileSystem.replaceAtomically(path: path, bytes: Array(value.serialized().utf8), mode: 0o600)
        } catch {
            throw .io(error)
        }
    }
}

/// The state record on disk, changed only under an exclusive `flock` on `ota/lock`, so the
/// supervisor and the gateway's receiver never lose each other's changes.
public struct OTAStateStore {
    public let paths: OTAPaths

    public init(paths: OTAPaths) { self.paths = paths }

    /// The record; a fresh one (factory active) when there is none yet.
    public func load() throws(OTAError) -> OTAStateRecord {
        guard let value = try OTARecordFile.read(paths.state) else { return OTAStateRecord() }
        guard let record = OTAStateRecord(json: value) else {
            throw .invalidRecord(path: paths.state, reason: "fields missing or of the wrong kind")
        }
        return record
    }

    /// Loads the record, lets `change` edit it, and writes it back, all under the lock. A
    /// broken record is replaced by a fresh one only when `resetBroken` says so.
    @discardableResult
    public func update(resetBroken: Bool = false, _ change: (inout OTAStateRecord) -> Void) throws(OTAError) -> OTAStateRecord {
        do throws(RuntimeError) { try FileSystem.makeDirectory(paths.directory) } catch { throw .io(error) }
        let lock: FileDescriptor
        do throws(RuntimeError) {
            lock = try FileDescriptor.open(paths.lock, flags: O_RDWR | O_CREAT, mode: 0o600)
            _ = try SystemCall.retrying("flock(" + paths.lock + ")") { flock(lock.rawValue, LOCK_EX) }
        } catch {
            throw .io(error)
        }
        // Closing the descriptor releases the lock.
        defer { lock.close() }
        var record: OTAStateRecord
        do throws(OTAError) { record = try load() } catch {
            guard resetBroken, case .invalidRecord = error else { throw error }
            record = OTAStateRecord()
        }
        change(&record)
        // Readers only compare generations: wrapping keeps the count in the range a stored
        // record may hold.
        record.generation = record.generation >= OTAStateRecord.maxCounter ? 1 : record.generation + 1
        try OTARecordFile.write(record.json, to: paths.state, directory: paths.directory)
        return record
    }
}
