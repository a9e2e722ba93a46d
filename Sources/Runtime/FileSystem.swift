import CSupport

/// The few whole-file operations an atomic save needs (every file the gateway replaces),
/// over `SystemCall` so every call loops on EINTR and fails with a typed error naming it.
public enum FileSystem {
    /// The whole file at `path`, or nil when it does not exist. Reads at most `limit` + 1
    /// bytes so a caller can tell a file that is too large.
    public static func read(_ path: String, limit: Int) throws(RuntimeError) -> [UInt8]? {
        let fd: FileDescriptor
        do throws(RuntimeError) {
            fd = try FileDescriptor.open(path, flags: O_RDONLY)
        } catch {
            if case .system(_, let errno) = error, errno == .noSuchFile { return nil }
            throw error
        }
        defer { fd.close() }
        return try fd.readToEnd(limit: limit + 1)
    }

    /// Writes `bytes` to a new file at `path` with `mode` and flushes it to the device.
    /// Whatever was at `path` (a stale temp file from a killed save, even a symlink) is
    /// removed first, so the mode is always `mode` and the write never follows a link.
    public static func writeNew(_ path: String, _ bytes: [UInt8], mode: UInt32) throws(RuntimeError) {
        try remove(path)
        let fd = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, mode: mode)
        let outcome = bytes.withUnsafeBytes { raw -> Result<Void, RuntimeError> in
            do throws(RuntimeError) {
                try fd.writeAll(raw)
                try fd.sync()
            } catch {
                return .failure(error)
            }
            return .success(())
        }
        fd.close()
        do throws(RuntimeError) {
            try outcome.get()
        } catch {
            try? remove(path)
            throw error
        }
    }

    /// Replaces the file at `path` with `bytes` (mode `mode`) so that a crash or a power cut
    /// at any point leaves the old file or the new one, never a torn one: writes `<path>.tmp`
    /// in the same directory and fsyncs it, runs `beforeReplacing` (the config store keeps its
    /// last good copy there), renames the temp file over `path` and fsyncs the directory. On
    /// any failure the temp file is removed and `path` is what it was.
    public static func replaceAtomically(path: String, bytes: [UInt8], mode: UInt32,
                                         beforeReplacing: () throws(RuntimeError) -> Void = {}) throws(RuntimeError) {
        let temporary = path + ".tmp"
        // `writeNew` removes its own file when it fails.
        try writeNew(temporary, bytes, mode: mode)
        do throws(RuntimeError) {
            try beforeReplacing()
            try rename(temporary, to: path)
        } catch {
            try? remove(temporary)
            throw error
        }
        try syncDirectory(directory(of: path))
    }

    /// The directory part of `path`: `.` for a bare name, `/` for a file at the root.
    public static func directory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[path.startIndex..<slash])
    }

    /// Removes `path`; a file that is already gone is fine.
    public static func remove(_ path: String) throws(RuntimeError) {
        do throws(RuntimeError) {
            _ = try SystemCall.retrying("unlink(" + path + ")") { unlink(path) }
        } catch {
            if case .system(_, let errno) = error, errno == .noSuchFile { return }
            throw error
        }
    }

    /// Atomically replaces `destination` with `source`.
    public static func rename(_ source: String, to destination: String) throws(RuntimeError) {
        _ = try SystemCall.retrying("rename(" + source + ", " + destination + ")") {
            CSupport.rename(source, destination)
        }
    }

    /// Makes `alias` a second name of the file `existing` (a hard link). Returns false when
    /// the file system has no hard links, so the caller can fall back to renaming.
    public static func link(_ existing: String, as alias: String) throws(RuntimeError) -> Bool {
        do throws(RuntimeError) {
            _ = try SystemCall.retrying("link(" + existing + ", " + alias + ")") { CSupport.link(existing, alias) }
            return true
        } catch {
            if case .system(_, let errno) = error,
               errno.rawValue == EPERM || errno.rawValue == EOPNOTSUPP || errno.rawValue == ENOSYS {
                return false
            }
            throw error
        }
    }

    /// Flushes `directory`'s entries, so a rename inside it survives a power cut.
    public static func syncDirectory(_ directory: String) throws(RuntimeError) {
        let fd = try FileDescriptor.open(directory, flags: O_RDONLY | O_DIRECTORY)
        defer { fd.close() }
        try fd.sync()
    }

    /// Creates `directory` (mode 0700: it holds secrets) unless it exists.
    public static func makeDirectory(_ directory: String) throws(RuntimeError) {
        do throws(RuntimeError) {
            _ = try SystemCall.retrying("mkdir(" + directory + ")") { mkdir(directory, 0o700) }
        } catch {
            if case .system(_, let errno) = error, errno == .exists { return }
            throw error
        }
    }
}
