import Crypto
import JSON
import Runtime

/// What an update says about itself before any chunk arrives: version, target architecture,
/// size, SHA-256 of the image and of each chunk, chunk size, the gateway it is for, a serial,
/// an expiry time, whether it may reinstall the same version or go back to an older one, and an
/// Ed25519 signature over the canonical form of all of that (`canonicalText`). JSON on
/// `switchyard/<node>/ota/manifest`.
///
/// The signature covers a fixed text, not the JSON, so member order or spacing can never make
/// a valid signature fail or a changed field pass. Target, serial and expiry bind a manifest
/// to one gateway, once, for a while: a captured manifest cannot be replayed at another node,
/// nor at the same node after it took a later one, nor after it expired.
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
    /// SHA-256 of each chunk, one after the other (32 bytes times `chunkCount`): every chunk
    /// is checked on arrival, so a wrong copy is dropped and a good one can still come.
    public var chunkDigests: [UInt8]
    /// The gateway (or, later, the group) the update is for.
    public var target: OTATarget
    /// Rises with every manifest signed for a gateway (`ota push` uses the milliseconds since
    /// the epoch at signing, raised above the last one the gateway reports); the gateway takes
    /// only a serial above the last it accepted.
    public var serial: Int
    /// Seconds since the epoch (UTC) after which the gateway refuses the manifest.
    public var expires: Int
    /// Install even when it is the version running now (never an older one: see `downgrade`).
    public var force: Bool
    /// Install even when older than the version running now.
    public var downgrade: Bool
    /// Ed25519 signature over `canonicalText` (64 bytes; empty before signing).
    public var signature: [UInt8]
    /// For a group target: which members, board and current versions it is for (issue 30).
    public var audience = OTAAudience()
    /// For a group target: the image as a patch against a base image too (issue 30).
    public var delta: OTADelta?

    /// Largest image accepted: a firmware is a few MiB; this bounds the slot file and the bitmap.
    public static let maxImageSize = 64 << 20
    /// Chunk sizes accepted: big enough to keep the message count sane, small enough for any broker.
    public static let chunkSizes = 512...(1 << 20)
    /// Most chunks an image may travel in: bounds the manifest (64 hex digits per chunk), and
    /// at the default chunk size still carries the largest image.
    public static let maxChunks = 4096
    /// Largest manifest payload read: the chunk digests and about 1 KiB of the rest.
    public static let maxPayload = 2048 + 2 * maxChunks * 64 + OTAAudience.maxNodes * 67
    /// Default chunk size of `switchyard ota push`.
    public static let defaultChunkSize = 16 * 1024
    /// Largest serial: JSON numbers are exact up to 2^53.
    public static let maxSerial = (1 << 53) - 1
    /// Latest expiry accepted (9999-12-31T23:59:59Z): far beyond any real one, and far from
    /// overflowing anything the seconds are used in.
    public static let maxExpires = 253_402_300_799
    /// 2026-12-01T00:00:00Z, about when this firmware was written: a gateway whose clock says
    /// earlier has not set it (no RTC, no time sync yet) and judges expiry by this instead.
    public static let clockFloor = 1_796_083_200

    public init(version: OTAVersion, architecture: String, size: Int, sha256: [UInt8], chunkSize: Int,
                chunkDigests: [UInt8], target: OTATarget, serial: Int, expires: Int, force: Bool = false,
                downgrade: Bool = false, signature: [UInt8] = []) {
        self.version = version
        self.architecture = architecture
        self.size = size
        self.sha256 = sha256
        self.chunkSize = chunkSize
        self.chunkDigests = chunkDigests
        self.target = target
        self.serial = serial
        self.expires = expires
        self.force = force
        self.downgrade = downgrade
        self.signature = signature
    }

    /// Number of chunks the image travels in.
    public var chunkCount: Int { (size + chunkSize - 1) / chunkSize }

    /// Length of chunk `index`: `chunkSize`, except the last.
    public func length(ofChunk index: Int) -> Int {
        precondition(index >= 0 && index < chunkCount, "OTAManifest: chunk index out of range")
        return index == chunkCount - 1 ? size - index * chunkSize : chunkSize
    }

    /// Whether `payload` is chunk `index` as signed (its length checked by the caller).
    public func matches(chunk index: Int, _ payload: [UInt8]) -> Bool {
        precondition(index >= 0 && index < chunkCount, "OTAManifest: chunk index out of range")
        let digest = payload.withUnsafeBytes { SHA256.hash($0) }
        return digest.elementsEqual(chunkDigests[(index * 32)..<(index * 32 + 32)])
    }

    /// The SHA-256 of each `chunkSize` piece of `image`, one after the other.
    public static func chunkDigests(of image: [UInt8], chunkSize: Int) -> [UInt8] {
        precondition(chunkSize > 0, "OTAManifest: chunk size must be positive")
        var digests: [UInt8] = []
        var offset = 0
        while offset < image.count {
            let end = min(image.count, offset + chunkSize)
            digests += image.withUnsafeBytes { SHA256.hash(UnsafeRawBufferPointer(rebasing: $0[offset..<end])) }
            offset = end
        }
        return digests
    }

    /// The SHA-256 as lowercase hex: the transfer's identity in `need` and `status`.
    public var digestHex: String { Hex.encode(sha256) }

    /// The bytes the signature covers: every field, one per line, in a fixed order. The chunk
    /// digests enter as their own SHA-256, which keeps the text short and still binds each one.
    ///
    /// A group manifest (issue 30) signs its audience too, under its own first line: a v2
    /// text can never verify as a v3 one, so stripping the audience breaks the signature.
    public var canonicalText: String {
        if case .group = target {
            return "switchyard-ota-manifest-v3\n" + commonText + audience.canonicalLines + OTADelta.canonicalLines(delta)
        }
        return "switchyard-ota-manifest-v2\n" + commonText
    }

    private var commonText: String {
        "version=" + version.description + "\n" + "arch=" + architecture + "\n"
            + "size=" + String(size) + "\n" + "sha256=" + digestHex + "\n" + "chunk_size=" + String(chunkSize) + "\n"
            + "chunks_sha256=" + Hex.encode(SHA256.hash(chunkDigests)) + "\n"
            + "target=" + target.description + "\n" + "serial=" + String(serial) + "\n"
            + "expires=" + String(expires) + "\n"
            + "force=" + (force ? "1" : "0") + "\n" + "downgrade=" + (downgrade ? "1" : "0") + "\n"
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
        var object = JSONObject(minimumCapacity: 13)
        object.append("version", .string(version.description))
        object.append("arch", .string(architecture))
        object.append("size", .int(size))
        object.append("sha256", .string(digestHex))
        object.append("chunk_size", .int(chunkSize))
        object.append("target", .string(target.description))
        object.append("serial", .int(serial))
        object.append("expires", .int(expires))
        object.append("force", .bool(force))
        object.append("downgrade", .bool(downgrade))
        object.append("chunk_sha256", .string(Hex.encode(chunkDigests)))
        object.append("signature", .string(Hex.encode(signature)))
        if case .group = target {
            audience.append(to: &object)
            if let delta { object.append("delta", delta.json) }
        }
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
        return try parse(json: root)
    }

    /// A manifest from its JSON already parsed (the copy kept in `manifest.json`, read once),
    /// checked as `parse(_:)` checks a payload.
    public static func parse(json root: JSONValue) throws(OTAError) -> OTAManifest {
        let cursor = root.cursor
        // A manifest of the first format (before issue 20) binds no gateway, serial or time:
        // say so, rather than "target: missing", so its sender knows to update `ota push`.
        if cursor["version"].ifPresent != nil && cursor["target"].ifPresent == nil && cursor["serial"].ifPresent == nil
            && cursor["expires"].ifPresent == nil {
            throw .invalidManifest("an old-format manifest (no target, serial or expiry, so it could be replayed "
                + "anywhere): sign it with this firmware's `switchyard ota push`")
        }
        let versionText: String, architecture: String, size: Int, chunkSize: Int, targetText: String
        let digestText: String, chunkDigestText: String, signatureText: String, serial: Int, expires: Int
        var force = false, downgrade = false
        do throws(JSONError) {
            versionText = try cursor["version"].string()
            architecture = try cursor["arch"].string()
            size = try cursor["size"].int()
            chunkSize = try cursor["chunk_size"].int()
            digestText = try cursor["sha256"].string()
            chunkDigestText = try cursor["chunk_sha256"].string()
            targetText = try cursor["target"].string()
            serial = try cursor["serial"].int()
            expires = try cursor["expires"].int()
            signatureText = try cursor["signature"].string()
            if let flag = cursor["force"].ifPresent { force = try flag.bool() }
            if let flag = cursor["downgrade"].ifPresent { downgrade = try flag.bool() }
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
        let chunkCount = (size + chunkSize - 1) / chunkSize
        guard chunkCount <= maxChunks else {
            throw .invalidManifest("\(chunkCount) chunks, more than \(maxChunks): use a larger chunk_size")
        }
        guard let target = OTATarget(targetText) else {
            throw .invalidManifest("target: \"\(short(targetText))\" is not node:<name> or group:<name>")
        }
        guard serial >= 1 && serial <= maxSerial else {
            throw .invalidManifest("serial: \(serial) is not 1 to \(maxSerial)")
        }
        guard expires >= 0 && expires <= maxExpires else {
            throw .invalidManifest("expires: \(expires) is not 0 to \(maxExpires) seconds since 1970")
        }
        let sha256 = try digest(digestText, bytes: 32, field: "sha256")
        let chunkDigests = try digest(chunkDigestText, bytes: chunkCount * 32, field: "chunk_sha256")
        let signature = try digest(signatureText, bytes: Ed25519.signatureCount, field: "signature")
        var manifest = OTAManifest(version: version, architecture: architecture, size: size, sha256: sha256,
                                   chunkSize: chunkSize, chunkDigests: chunkDigests, target: target, serial: serial,
                                   expires: expires, force: force, downgrade: downgrade, signature: signature)
        if case .group = target {
            manifest.audience = try OTAAudience.parse(cursor)
            manifest.delta = try OTADelta.parse(cursor, chunkSize: chunkSize)
        }
        return manifest
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
