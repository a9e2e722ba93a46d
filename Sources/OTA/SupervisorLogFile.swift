import CSupport
import Runtime

/// The gateway's log file, kept by `switchyard supervise --log PATH`, rotated by size while
/// the gateway runs (issue 20: rotating only at service start let a flood grow it without
/// bound). The supervisor's own lines go to the file (its descriptors 1 and 2); each child
/// writes into a pipe the supervisor reads in its loop and copies to the file, so a rotation
/// (rename to `PATH.1`, open a new `PATH`) takes every writer along at once and loses nothing.
/// One previous file is kept.
final class SupervisorLogFile {
    let path: String
    /// Size the file is rotated at (at a line end, before a line would pass it).
    let maxBytes: Int
    /// The write end of the pipe: the children's standard output and error.
    let childOutput: FileDescriptor
    private let pipeRead: OwnedDescriptor
    private let pipeWrite: OwnedDescriptor
    private var watch: IOWatch?
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// Bytes of the children's output that could not be written (a full disk): counted, and
    /// said in the file once it can be written again.
    private(set) var lost = 0
    /// The children's last bytes of output, for the crash record (why the last run ended).
    private var recent: [UInt8] = []
    static let recentBytes = 1024

    /// Opens `path` for appending and makes it the supervisor's standard output and error.
    init(path: String, maxBytes: Int, loop: EventLoop) throws(RuntimeError) {
        self.path = path
        self.maxBytes = maxBytes
        try SupervisorLogFile.openAsStandardOutput(path)
        var fds: [Int32] = [-1, -1]
        _ = try SystemCall.retrying("pipe2") { pipe2(&fds, O_CLOEXEC) }
        pipeRead = OwnedDescriptor(FileDescriptor(fds[0]))
        pipeWrite = OwnedDescriptor(FileDescriptor(fds[1]))
        childOutput = pipeWrite.fd
        try pipeRead.fd.setNonBlocking()
        watch = loop.watch(pipeRead.fd) { [self] _ in self.drain() }
        rotateIfNeeded()
    }

    deinit { watch?.cancel() }

    /// Copies what the children wrote into the file, rotating it at a line end before it
    /// would grow past `maxBytes`. A bounded amount per call, so a chatty child cannot hold
    /// the loop.
    func drain() {
        for _ in 0..<16 {
            let outcome = buffer.withUnsafeMutableBytes { raw -> IOResult<Int>? in try? pipeRead.fd.read(into: raw) }
            guard case .done(let count)? = outcome, count > 0 else { return }
            append(count)
        }
    }

    /// The last `count` lines the children wrote (what a crash printed last).
    func lastLines(_ count: Int) -> [String] {
        drain()
        var lines = String(decoding: recent, as: UTF8.self).split(separator: "\n").map { String($0) }
        // The first may be cut at the front: dropped unless it is all there is.
        if recent.count >= SupervisorLogFile.recentBytes && lines.count > 1 { lines.removeFirst() }
        return Array(lines.suffix(count))
    }

    private func append(_ count: Int) {
        recent.append(contentsOf: buffer[0..<count])
        if recent.count > SupervisorLogFile.recentBytes { recent.removeFirst(recent.count - SupervisorLogFile.recentBytes) }
        var start = 0
        let room = maxBytes - size()
        if count > room {
            // The whole lines that still fit end this file; the rest starts the next one.
            if room > 0, let newline = buffer[0..<min(room, count)].lastIndex(of: 0x0A) {
                write(0..<(newline + 1))
                start = newline + 1
            }
            rotate()
        }
        write(start..<count)
    }

    private func write(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let failed = buffer.withUnsafeBytes { raw -> Bool in
            do throws(RuntimeError) {
                try FileDescriptor.standardError.writeAll(UnsafeRawBufferPointer(rebasing: raw[range]))
                return false
            } catch {
                return true
            }
        }
        if failed {
            lost += range.count
        } else if lost > 0 {
            let note = "supervise: " + String(lost) + " bytes of the gateway's output were lost (the log could not be written)\n"
            lost = 0
            try? FileDescriptor.standardError.writeAll(note)
        }
    }

    /// Rotates when the supervisor's own lines alone have taken the file past `maxBytes`.
    func rotateIfNeeded() {
        if size() > maxBytes { rotate() }
    }

    private func size() -> Int {
        var info = stat()
        guard fstat(2, &info) == 0 else { return 0 }
        return Int(info.st_size)
    }

    private func rotate() {
        do throws(RuntimeError) {
            try FileSystem.rename(path, to: path + ".1")
            try SupervisorLogFile.openAsStandardOutput(path)
        } catch {
            // Keep writing where we are; the next line end tries again.
            try? FileDescriptor.standardError.writeAll("supervise: cannot rotate " + path + ": " + error.description + "\n")
        }
    }

    private static func openAsStandardOutput(_ path: String) throws(RuntimeError) {
        let fd = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o644)
        defer { fd.close() }
        _ = try SystemCall.retrying("dup2(" + path + ")") { dup2(fd.rawValue, 1) }
        _ = try SystemCall.retrying("dup2(" + path + ")") { dup2(fd.rawValue, 2) }
    }
}
