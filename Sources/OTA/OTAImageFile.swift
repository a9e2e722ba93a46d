import CSupport
import Crypto
import Runtime

/// An image on the sender's side: its size, SHA-256, ELF architecture and version stamp, and
/// its chunks read from the file when they are sent (never the whole file in memory).
public final class OTAImageFile {
    public let path: String
    public let size: Int
    public let sha256: [UInt8]
    /// The ELF header's architecture, nil when the file is not an ELF executable.
    public let architecture: String?
    /// The version stamp found in the file, if any.
    public let stampedVersion: String?
    private let file: OwnedDescriptor

    /// Reads `path` once to hash it and find its header and stamp.
    public init(path: String) throws(OTAError) {
        self.path = path
        do throws(RuntimeError) { file = OwnedDescriptor(try FileDescriptor.open(path, flags: O_RDONLY)) } catch {
            throw .io(error)
        }
        let hasher = SHA256()
        var total = 0
        var header: [UInt8] = []
        var stamp: String? = nil
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        // Blocks overlap by the stamp's longest length, so one split across a boundary is found.
        var tail: [UInt8] = []
        while true {
            let count = OTAImageFile.readAt(file.fd, offset: total, into: &buffer)
            guard count > 0 else { break }
            let block = Array(buffer[0..<count])
            hasher.update(block)
            if header.count < ELFHeader.minimumCount { header += block.prefix(ELFHeader.minimumCount - header.count) }
            if stamp == nil { stamp = OTAVersionStamp.find(in: tail + block) }
            tail = Array(block.suffix(OTAVersionStamp.prefix.utf8.count + OTAVersion.maxLength + 1))
            total += count
        }
        guard total > 0 else { throw .refused(path + " is empty") }
        size = total
        sha256 = hasher.finalize()
        architecture = ELFHeader(header)?.architecture
        stampedVersion = stamp
    }

    /// Chunk `index` of `chunkSize` bytes (the last one shorter).
    public func chunk(_ index: Int, chunkSize: Int) -> [UInt8] {
        let offset = index * chunkSize
        let length = min(chunkSize, size - offset)
        precondition(length > 0, "OTAImageFile: chunk beyond the end")
        var buffer = [UInt8](repeating: 0, count: length)
        let count = OTAImageFile.readAt(file.fd, offset: offset, into: &buffer)
        // The file changing under the sender is caught by the receiver's SHA-256 check.
        return count == length ? buffer : Array(buffer[0..<max(0, count)])
    }

    /// The SHA-256 of each chunk of `chunkSize` bytes, one after the other (what the manifest
    /// signs so the gateway can check every chunk on arrival).
    public func chunkDigests(chunkSize: Int) -> [UInt8] {
        precondition(chunkSize > 0, "OTAImageFile: chunk size must be positive")
        var digests: [UInt8] = []
        var offset = 0
        while offset < size {
            digests += SHA256.hash(chunk(offset / chunkSize, chunkSize: chunkSize))
            offset += chunkSize
        }
        return digests
    }

    private static func readAt(_ fd: FileDescriptor, offset: Int, into buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBytes { raw in
            (try? SystemCall.retrying("pread") { pread(fd.rawValue, raw.baseAddress, raw.count, off_t(offset)) }) ?? -1
        }
    }
}
