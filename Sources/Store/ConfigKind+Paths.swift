import CSupport
import Runtime

/// Whether a `.path` key's value names something the gateway can read. Asked at `set` (so a
/// typo is refused on the spot, not found by a service at its start) and at load (where a
/// path that has gone missing is reported but kept: the file may be on a disk not mounted yet).
extension ConfigKind {
    /// Why `value` cannot be used, or nil when it can (or this kind names no path, or the
    /// value is empty, meaning none).
    public func pathProblem(_ value: String) -> String? {
        guard case .path(let directory) = self, !value.isEmpty else { return nil }
        let fd: FileDescriptor
        do throws(RuntimeError) {
            fd = try FileDescriptor.open(value, flags: O_RDONLY | (directory ? O_DIRECTORY : 0))
        } catch {
            if case .system(_, let errno) = error {
                if errno == .noSuchFile { return "no such " + (directory ? "directory" : "file") }
                return "cannot be read (" + errno.description + ")"
            }
            return "cannot be read"
        }
        defer { fd.close() }
        var info = stat()
        guard fstat(fd.rawValue, &info) == 0 else { return "cannot be read" }
        let isDirectory = info.st_mode & UInt32(S_IFMT) == UInt32(S_IFDIR)
        let isFile = info.st_mode & UInt32(S_IFMT) == UInt32(S_IFREG)
        if directory && !isDirectory { return "is not a directory" }
        // A character device is what `/dev/null` is; nobody means it as a certificate.
        if !directory && !isFile { return "is not a regular file" }
        return nil
    }
}
