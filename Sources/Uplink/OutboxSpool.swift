import Contracts
import Runtime

/// Saves the outbox to the data directory at shutdown and loads it at the next start, so
/// QoS 1/2 messages that never reached the broker survive a restart.
///
/// File format (all integers big-endian):
///
///     "SYOB"            4 bytes magic
///     version           u8 (1)
///     count             u32, messages that follow
///     count times:
///       topic length    u16, then the topic (UTF-8, not empty)
///       payload length  u32, then the payload
///       qos             u8 (0...2)
///       retain          u8 (0 or 1)
///     body length       u32, bytes of everything before this field
///     checksum          u32, FNV-1a over everything before the body length
///
/// Uplink does not depend on Crypto, so instead of a SHA-256 the trailer carries the length
/// and a cheap checksum: enough to notice a truncated or scribbled file (this guards against
/// power cuts, not against an attacker, who could equally edit the config).
///
/// A file that does not parse is logged once, renamed to `<path>.bad` (kept for a post-mortem,
/// out of the way of the next save) and ignored. A file that loads is deleted, so its messages
/// are delivered once.
public enum OutboxSpool {
    static let magic: [UInt8] = [0x53, 0x59, 0x4F, 0x42] // "SYOB"
    static let version: UInt8 = 1
    static let headerSize = 9
    static let trailerSize = 8
    // Per message besides topic and payload: two lengths, qos and retain.
    static let messageOverhead = 8

    /// What `load` found.
    public enum LoadResult: Equatable {
        /// No spool file.
        case none
        /// This many messages were appended to the queue (its bounds may have dropped some).
        case loaded(Int)
        /// The file was malformed (the reason); it was renamed to `<path>.bad`.
        case rejected(String)
    }

    private static let log = Logger("outbox")

    // MARK: format

    /// The spool file's bytes for `queue`'s messages, oldest first.
    public static func encode(_ queue: OutboxQueue) -> [UInt8] {
        var messages: [MQTTMessage] = []
        var rest = queue // a copy: the caller's queue is left as it was
        // MQTT topics are at most 65535 bytes; a longer one could never be published anyway.
        while let message = rest.removeFirst() {
            if message.topic.utf8.count <= 0xFFFF { messages.append(message) }
        }
        var bytes = magic
        bytes.append(version)
        append32(UInt32(messages.count), to: &bytes)
        for message in messages {
            let topic = Array(message.topic.utf8)
            append16(UInt16(truncatingIfNeeded: topic.count), to: &bytes)
            bytes.append(contentsOf: topic)
            append32(UInt32(truncatingIfNeeded: message.payload.count), to: &bytes)
            bytes.append(contentsOf: message.payload)
            bytes.append(UInt8(truncatingIfNeeded: message.qos))
            bytes.append(message.retain ? 1 : 0)
        }
        let checksum = fnv1a(bytes[...])
        append32(UInt32(truncatingIfNeeded: bytes.count), to: &bytes)
        append32(checksum, to: &bytes)
        return bytes
    }

    /// The messages in `bytes`, or the reason they cannot be trusted.
    public static func decode(_ bytes: [UInt8]) -> Result<[MQTTMessage], UplinkError> {
        guard bytes.count >= headerSize + trailerSize else { return .failure(.corruptSpool("truncated")) }
        guard Array(bytes[0..<4]) == magic else { return .failure(.corruptSpool("not a spool file")) }
        guard bytes[4] == version else { return .failure(.corruptSpool("unknown version " + String(Int(bytes[4])))) }
        let bodyEnd = bytes.count - trailerSize
        guard read32(bytes, bodyEnd) == UInt32(truncatingIfNeeded: bodyEnd) else {
            return .failure(.corruptSpool("truncated"))
        }
        guard read32(bytes, bodyEnd + 4) == fnv1a(bytes[0..<bodyEnd]) else {
            return .failure(.corruptSpool("checksum mismatch"))
        }
        let count = Int(read32(bytes, 5))
        var messages: [MQTTMessage] = []
        var offset = headerSize
        for _ in 0..<count {
            guard bodyEnd - offset >= 2 else { return .failure(.corruptSpool("message cut short")) }
            let topicLength = Int(read16(bytes, offset))
            offset += 2
            guard topicLength > 0, bodyEnd - offset >= topicLength + 4 else {
                return .failure(.corruptSpool("bad topic length"))
            }
            let topicBytes = Array(bytes[offset..<offset + topicLength])
            let topic = String(decoding: topicBytes, as: UTF8.self)
            // Decoding repairs invalid UTF-8; a topic that changed in the process was not text.
            guard Array(topic.utf8) == topicBytes else { return .failure(.corruptSpool("topic is not UTF-8")) }
            offset += topicLength
            let payloadLength = Int(read32(bytes, offset))
            offset += 4
            guard bodyEnd - offset >= payloadLength + 2 else { return .failure(.corruptSpool("bad payload length")) }
            let payload = Array(bytes[offset..<offset + payloadLength])
            offset += payloadLength
            let qos = bytes[offset], retain = bytes[offset + 1]
            offset += 2
            guard qos <= 2, retain <= 1 else { return .failure(.corruptSpool("bad qos or retain flag")) }
            messages.append(MQTTMessage(topic: topic, payload: payload, qos: Int32(qos), retain: retain == 1))
        }
        guard offset == bodyEnd else { return .failure(.corruptSpool("bytes after the last message")) }
        return .success(messages)
    }

    // MARK: files

    /// Writes `queue`'s messages to `path` atomically: a temp file next to it, flushed, renamed
    /// over `path`, and the directory flushed, so a power cut leaves the old file or the new
    /// one, never half of one.
    public static func save(_ queue: OutboxQueue, to path: String) throws(RuntimeError) {
        try FileSystem.replaceAtomically(path: path, bytes: encode(queue), mode: 0o600)
    }

    /// Appends the messages spooled at `path` to `queue` (through `append`, so its bounds and
    /// drop-oldest policy apply) and deletes the file. A malformed file is logged once and
    /// renamed to `<path>.bad`.
    public static func load(_ path: String, into queue: inout OutboxQueue) -> LoadResult {
        // The largest file a queue with these bounds can have written.
        let limit = headerSize + trailerSize + queue.maxBytes + queue.maxMessages * messageOverhead
        let bytes: [UInt8]
        do throws(RuntimeError) {
            guard let contents = try FileSystem.read(path, limit: limit) else { return .none }
            bytes = contents
        } catch {
            return reject(path, "cannot read: " + error.description)
        }
        if bytes.count > limit { return reject(path, "larger than the outbox bounds allow") }
        switch decode(bytes) {
        case .failure(let error):
            return reject(path, error.description)
        case .success(let messages):
            for message in messages { queue.append(message) }
            do throws(RuntimeError) {
                try FileSystem.remove(path)
            } catch {
                log.error("cannot delete the loaded spool " + path + ": " + error.description)
            }
            log.info("loaded " + String(messages.count) + " spooled messages from " + path)
            return .loaded(messages.count)
        }
    }

    private static func reject(_ path: String, _ reason: String) -> LoadResult {
        let bad = path + ".bad"
        var outcome = "renamed to " + bad
        do throws(RuntimeError) { try FileSystem.rename(path, to: bad) } catch { outcome = "could not rename it" }
        log.warning("outbox spool " + path + " ignored (" + reason + "), " + outcome)
        return .rejected(reason)
    }

    // MARK: integers

    private static func append16(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    private static func append32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in [24, 16, 8, 0] as [UInt32] { bytes.append(UInt8((value >> shift) & 0xFF)) }
    }

    private static func read16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
    }

    private static func read32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return hash
    }
}

