import Crypto
import JSON
import Runtime

/// A fleet manifest's delta (issue 30): the image as a zstd patch against a named base
/// image, travelling in chunks of the manifest's chunk size beside the full image's. A
/// gateway whose running slot holds the base fetches the patch and rebuilds the image into
/// the other slot; any other gateway fetches the full image. Either way the result is
/// checked against the manifest's size, SHA-256 and signature as a full image is.
public struct OTADelta: Equatable {
    /// SHA-256 of the base image (32 bytes).
    public var baseSHA256: [UInt8]
    /// Patch size in bytes.
    public var size: Int
    /// SHA-256 of each chunk of the patch, one after the other.
    public var chunkDigests: [UInt8]

    public init(baseSHA256: [UInt8], size: Int, chunkDigests: [UInt8]) {
        self.baseSHA256 = baseSHA256
        self.size = size
        self.chunkDigests = chunkDigests
    }

    public var baseHex: String { Hex.encode(baseSHA256) }

    /// The signed lines (part of a group manifest's canonical text; empty values without a delta).
    static func canonicalLines(_ delta: OTADelta?) -> String {
        guard let delta else { return "delta_base=\ndelta_size=0\ndelta_chunks_sha256=\n" }
        return "delta_base=" + delta.baseHex + "\n" + "delta_size=" + String(delta.size) + "\n"
            + "delta_chunks_sha256=" + Hex.encode(SHA256.hash(delta.chunkDigests)) + "\n"
    }

    var json: JSONValue {
        ["base_sha256": .string(baseHex), "size": .int(size), "chunk_sha256": .string(Hex.encode(chunkDigests))]
    }

    /// The `delta` member of a manifest, checked; nil when absent.
    static func parse(_ cursor: JSONCursor, chunkSize: Int) throws(OTAError) -> OTADelta? {
        guard let member = cursor["delta"].ifPresent else { return nil }
        let base: String, size: Int, digests: String
        do throws(JSONError) {
            base = try member["base_sha256"].string()
            size = try member["size"].int()
            digests = try member["chunk_sha256"].string()
        } catch {
            throw .invalidManifest(error.description)
        }
        guard size >= 1 && size <= OTAManifest.maxImageSize else { throw .invalidManifest("delta.size: out of range") }
        let count = (size + chunkSize - 1) / chunkSize
        guard count <= OTAManifest.maxChunks else { throw .invalidManifest("delta: too many chunks") }
        guard base.utf8.count == 64, let baseBytes = try? Hex.decode(base) else {
            throw .invalidManifest("delta.base_sha256: not 64 hex digits")
        }
        guard digests.utf8.count == count * 64, let digestBytes = try? Hex.decode(digests) else {
            throw .invalidManifest("delta.chunk_sha256: not " + String(count * 64) + " hex digits")
        }
        return OTADelta(baseSHA256: baseBytes, size: size, chunkDigests: digestBytes)
    }
}
