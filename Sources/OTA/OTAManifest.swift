import Crypto
import JSON

/// What an update says about itself before any chunk arrives: version, target architecture,
/// size, SHA-256, chunk size, whether it may downgrade, and an Ed25519 signature over the
/// canonical form of all of that (`canonicalText`). JSON on `switchyard/<node>/ota/manifest`.
///
/// The signature covers a fixed text, not the JSON, so member order or spacing can never make
/// a valid signature fail or a changed field pass.
public struct OTAManifest: Equatable {
    public var version: OTAVersion
    /// Architecture of the image (`x86_64`, `aarch64`).
    public var architecture: String
    /// Image size in bytes.
    public var size: Int
    /// SHA-256 of the whole image (32 bytes).
    public var sha256: [UInt8]
    /// Bytes per chunk; the last one may be shorter.
    public var chunkSize: Int
    /// Install even when not newer than the running version.
    public var force: Bool
    /// Ed25519 signature over `canonicalText` (64 bytes; empty before signing).
    public var signature: [UInt8]

    /// Largest image accepted: a firmware is a few MiB; this bounds the slot file and the bitmap.
    public static let maxImageSize = 64 << 20
    /// Chunk sizes accepted: big enough to keep the message count sane, small enough for any broker.
    public static let chunkSizes = 512...(1 << 20)
    /// Largest manifest payload read (a real one is about 400 bytes).
    public static let maxPayload = 4096
    /// Default chunk size of `switchyard ota push`.
    public static let defaultChunkSize = 16 * 1024

    public init(version: OTAVersion, architecture: String, size: Int, sha256: [UInt8], chunkSize: Int,
                force: Bool = false, signature: [UInt8] = []) {
        self.version = version
        self.architecture = architecture
        self.size = size
        self.sha256 = sha256
        self.chunkSize = chunkSize
        self.force = force
        self.signature = signature
    }

    /// Number of chunks the image travels in.
    public var chunkCount: Int { (size + chunkSize - 1) / chunkSize }

    /// Length of chunk `index`: `chunkSize`, except the last.
    public func length(ofChunk index: Int) -> Int {
        precondition(index >= 0 && index < chunkCount, "OTAManifest: chunk index out of range")
        return index == chunkCount - 1 ? size - index * chunkSize : chunkSize
    }

    /// The SHA-256 as lowercase hex: the transfer's identity in `need` and `status`.
    public var digestHex: String { Hex.encode(sha256) }

    /// The bytes the signature covers: every field, one per line, in a fixed order.
    public var canonicalText: String {
        "switchyard-ota-manifest-v1\n" + "version=" + version.description + "\n" + "arch=" + architecture + "\n"
            + "size=" + String(size) + "\n" + "sha256=" + digestHex + "\n" + "chunk_size=" + String(chunkSize) + "\n"
            + "force=" + (force ? "1" : "0") + "\n"
    }

    /// This manifest signed by `key`.
    public func signed(by key: Ed25519.PrivateKey) -> OTAManifest {
        var copy = self
        copy.signature = key.sign(Array(canonicalText.utf8))
        return copy
    }

    /// Whether one of `keys` made the signature.
    public func isSigned(byOneOf keys: [Ed25519.PublicKey]) -> Bool {
        let message = Array(canonicalText.utf8)
        return keys.contains { $0.verify(signature, of: message) }
    }

    /// The JSON published on the manifest topic.
    public var json: JSONValue {
        var object = JSONObject(minimumCapacity: 7)
        object.append("version", .string(version.description))
        object.append("arch", .string(architecture))
        object.append("size", .int(size))
        object.append("sha256", .string(digestHex))
        object.append("chunk_size", .int(chunkSize))
        object.append("force", .bool(force))
        object.append("signature", .string(Hex.encode(signature)))
        return .object(object)
    }

    /// Parses a manifest payload. Every field is checked for kind and range; unknown members
    /// are ignored (a newer sender may add some), missing ones are refused.
    public static func parse(_ payload: [UInt8]) throws(OTAError) -> OTAManifest {
        guard payload.count <= maxPayload else {
            throw .invalidManifest("\(payload.count) bytes, more than the \(maxPayload) a manifest may have")
        }
        let root: JSONValue
        do throws(JSONError) { root = try JSONValue.parse(payload) } catch { throw .invalidManifest(error.description) }
        let versionText: String, architecture: String, size: Int, chunkSize: Int
        let digestText: String, signatureText: String
        var force = false
        do throws(JSONError) {
            let cursor = root.cursor
            versionText = try cursor["version"].string()
            architecture = try cursor["arch"].string()
            size = try cursor["size"].int()
            chunkSize = try cursor["chunk_size"].int()
            digestText = try cursor["sha256"].string()
            signatureText = try cursor["signature"].string()
            if let flag = cursor["force"].ifPresent { force = try flag.bool() }
        } catch {
            throw .invalidManifest(error.description)
        }
        guard let version = OTAVersion(versionText) else {
            throw .invalidManifest("version: \"\(short(versionText))\" is not a version like 1.2.3")
        }
        guard architecture.utf8.count <= 16, !architecture.isEmpty,
              architecture.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F })
        else { throw .invalidManifest("arch: not an architecture name like x86_64 or aarch64") }
        guard size >= 1 && size <= maxImageSize else {
            throw .invalidManifest("size: \(size) is not 1 to \(maxImageSize) bytes")
        }
        guard chunkSizes.contains(chunkSize) else {
            throw .invalidManifest("chunk_size: \(chunkSize) is not \(chunkSizes.lowerBound) to \(chunkSizes.upperBound)")
        }
        let sha256 = try digest(digestText, bytes: 32, field: "sha256")
        let signature = try digest(signatureText, bytes: Ed25519.signatureCount, field: "signature")
        return OTAManifest(version: version, architecture: architecture, size: size, sha256: sha256,
                           chunkSize: chunkSize, force: force, signature: signature)
    }

    private static func digest(_ text: String, bytes: Int, field: String) throws(OTAError) -> [UInt8] {
        guard text.utf8.count == bytes * 2, let decoded = try? Hex.decode(text) else {
            throw .invalidManifest(field + ": not \(bytes * 2) hex digits")
        }
        return decoded
    }

    private static func short(_ text: String) -> String {
        text.utf8.count <= 40 ? text : String(decoding: Array(text.utf8.prefix(40)), as: UTF8.self) + "..."
    }
}
