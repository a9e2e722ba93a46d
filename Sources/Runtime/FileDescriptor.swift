import CSupport

/// A borrowed file descriptor: a plain value with typed read/write. Closing is the job of
/// whoever owns it (see `OwnedDescriptor`).
public struct FileDescriptor: Equatable, Hashable, Sendable {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static let standardInput = FileDescriptor(0)
    public static let standardOutput = FileDescriptor(1)
    public static let standardError = FileDescriptor(2)

    /// Opens `path`; `flags` are `O_*` values (`O_CLOEXEC` is always added).
    public static func open(
        _ path: String, flags: Int32, mode: UInt32 = 0o644
    ) throws(RuntimeError) -> FileDescriptor {
        let fd = try SystemCall.retrying("open(\(path))") {
            sy_open(path, flags | O_CLOEXEC, mode)
        }
        return FileDescriptor(fd)
    }

    /// Reads up to `buffer.count` bytes; `.done(0)` is end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuntimeError) -> IOResult<Int> {
        try SystemCall.nonBlocking("read") { CSupport.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Writes what it can of `buffer` in one call.
    public func write(_ buffer: UnsafeRawBufferPointer) throws(RuntimeError) -> IOResult<Int> {
        try SystemCall.nonBlocking("write") { CSupport.write(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Writes all of `bytes`, looping over short writes (for blocking descriptors: files, pipes).
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(RuntimeError) {
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch try write(rest) {
            case .done(let n): offset += n
            case .wouldBlock: throw .system(call: "write", errno: .wouldBlock)
            }
        }
    }

    /// Writes a whole string (UTF-8).
    public func writeAll(_ text: String) throws(RuntimeError) {
        // withUTF8 rethrows untyped errors, so the typed one travels out in a Result.
        var text = text
        let outcome = text.withUTF8 { utf8 -> Result<Void, RuntimeError> in
            do throws(RuntimeError) { try writeAll(UnsafeRawBufferPointer(utf8)) } catch { return .failure(error) }
            return .success(())
        }
        try outcome.get()
    }

    /// Reads until end of file (for small files: config, sysfs).
    public func readToEnd(limit: Int = 1 << 20) throws(RuntimeError) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count < limit {
            let outcome = chunk.withUnsafeMutableBytes { raw -> Result<IOResult<Int>, RuntimeError> in
                do throws(RuntimeError) { return .success(try read(into: raw)) } catch { return .failure(error) }
            }
            guard case .done(let n) = try outcome.get(), n > 0 else { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Flushes the file's data and metadata to the device.
    public func sync() throws(RuntimeError) {
        _ = try SystemCall.retrying("fsync") { fsync(rawValue) }
    }

    /// Switches the descriptor to non-blocking mode.
    public func setNonBlocking() throws(RuntimeError) {
        let flags = try SystemCall.retrying("fcntl(F_GETFL)") { sy_fcntl_getfl(rawValue) }
        _ = try SystemCall.retrying("fcntl(F_SETFL)") { sy_fcntl_setfl(rawValue, flags | O_NONBLOCK) }
    }

    /// Closes the descriptor. Errors other than EBADF are ignored: the descriptor is gone
    /// either way (Linux never retries a close).
    public func close() {
        let result = CSupport.close(rawValue)
        precondition(result == 0 || Errno.current != .badDescriptor, "close: bad file descriptor (a Switchyard bug)")
    }
}

/// Owns a descriptor and closes it when released.
public final class OwnedDescriptor {
    public let fd: FileDescriptor

    public init(_ fd: FileDescriptor) { self.fd = fd }

    deinit { fd.close() }
}
