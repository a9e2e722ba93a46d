import CSupport
import Crypto
import Runtime

/// The checks on a complete slot file before anything switches: its size, its SHA-256 and
/// its ELF header against this machine. Reads the file in steps (`step()` hashes at most
/// `stepBytes`), so the run loop can interleave other work while a large image is hashed.
public final class OTAImageCheck {
    /// Bytes hashed per step: a few milliseconds of work even on a Pi.
    public static let stepBytes = 256 * 1024

    let manifest: OTAManifest
    let architecture: String
    private let file: OwnedDescriptor
    private let hasher = SHA256()
    private var header: [UInt8] = []
    private var offset = 0
    private var buffer: [UInt8]

    /// Opens `path` to check it against `manifest`, for a machine of `architecture`.
    public init(path: String, manifest: OTAManifest, architecture: String) throws(OTAError) {
        self.manifest = manifest
        self.architecture = architecture
        do throws(RuntimeError) { file = OwnedDescriptor(try FileDescriptor.open(path, flags: O_RDONLY)) } catch {
            throw .io(error)
        }
        buffer = [UInt8](repeating: 0, count: OTAImageCheck.stepBytes)
    }

    /// What a step found.
    public enum Outcome: Equatable {
        case inProgress
        case passed
        case refused(String)
    }

    /// Hashes the next piece; at the end compares everything.
    public func step() throws(OTAError) -> Outcome {
        let outcome = buffer.withUnsafeMutableBytes { raw -> Result<Int, RuntimeError> in
            do throws(RuntimeError) {
                let n = try SystemCall.retrying("pread(slot)") {
                    pread(file.fd.rawValue, raw.baseAddress, raw.count, off_t(offset))
                }
                return .success(n)
            } catch {
                return .failure(error)
            }
        }
        let count: Int
        switch outcome {
        case .success(let n): count = n
        case .failure(let error): throw .io(error)
        }
        if count > 0 {
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if header.count < ELFHeader.minimumCount {
                header += buffer[0..<min(count, ELFHeader.minimumCount - header.count)]
            }
            offset += count
            if offset <= manifest.size { return .inProgress }
        }
        return finish()
    }

    /// Runs every step at once (tests, the sender checking its own file).
    public func run() throws(OTAError) -> Outcome {
        while true {
            let outcome = try step()
            if outcome != .inProgress { return outcome }
        }
    }

    private func finish() -> Outcome {
        guard offset == manifest.size else {
            return .refused("size mismatch: the slot holds \(offset) bytes, the manifest says \(manifest.size)")
        }
        let digest = hasher.finalize()
        guard digest == manifest.sha256 else {
            return .refused("SHA-256 mismatch: the image hashes to " + Hex.encode(digest) + ", the manifest says "
                + manifest.digestHex)
        }
        guard let elf = ELFHeader(header) else { return .refused("not an ELF executable") }
        guard elf.architecture == architecture else {
            return .refused("wrong architecture: the image is an " + elf.architecture + " executable, this gateway is "
                + architecture)
        }
        return .passed
    }
}
