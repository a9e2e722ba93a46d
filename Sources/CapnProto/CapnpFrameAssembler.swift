/// Cuts a byte stream into Cap'n Proto messages by the standard stream framing: a 32-bit
/// little-endian segment count minus one, each segment's size in words, padding to a whole
/// word, then the segments. A header that announces too many segments or too many words is
/// refused before its body is read, so a peer cannot make us buffer more than the limits.
public struct CapnpFrameAssembler {
    public let limits: CapnpLimits
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already handed out; compacted lazily.
    private var start = 0

    public init(limits: CapnpLimits = .standard) { self.limits = limits }

    /// Whether part of a message is waiting for more bytes.
    public var hasPartialMessage: Bool { buffer.count > start }

    /// Adds received bytes.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, nil while one is incomplete; an error when the framing
    /// breaks the limits (the stream cannot be resynchronised after that).
    public mutating func next() throws(CapnpError) -> CapnpMessage? {
        let available = buffer.count - start
        guard available >= 4 else { return nil }
        let segmentCount = Int(readUInt32(start)) + 1
        guard segmentCount <= limits.maxSegments else { throw .tooManySegments(segmentCount) }
        // Header: count word half plus one size per segment, padded to a whole word.
        let headerBytes = (4 + 4 * segmentCount + 7) & ~7
        guard available >= headerBytes else { return nil }
        var sizes: [Int] = []
        sizes.reserveCapacity(segmentCount)
        var total = 0
        for index in 0..<segmentCount {
            let words = Int(readUInt32(start + 4 + 4 * index))
            total += words
            guard total <= limits.maxMessageWords else { throw .messageTooLarge(words: total) }
            sizes.append(words)
        }
        guard total > 0 else { throw .badFraming }
        guard available >= headerBytes + total * 8 else { return nil }
        let body = start + headerBytes
        let bytes = Array(buffer[body..<(body + total * 8)])
        start = body + total * 8
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 64 * 1024 {
            buffer.removeFirst(start)
            start = 0
        }
        return CapnpMessage(bytes: bytes, segmentWords: sizes, limits: limits)
    }

    private func readUInt32(_ offset: Int) -> UInt32 {
        UInt32(buffer[offset]) | UInt32(buffer[offset + 1]) << 8 | UInt32(buffer[offset + 2]) << 16
            | UInt32(buffer[offset + 3]) << 24
    }

    /// Frames one message whose segments are already contiguous in `bytes`.
    public static func frame(segmentWords: [Int], bytes: [UInt8]) -> [UInt8] {
        precondition(!segmentWords.isEmpty, "a message has at least one segment")
        var out: [UInt8] = []
        let headerBytes = (4 + 4 * segmentWords.count + 7) & ~7
        out.reserveCapacity(headerBytes + bytes.count)
        appendUInt32(UInt32(segmentWords.count - 1), to: &out)
        for words in segmentWords { appendUInt32(UInt32(words), to: &out) }
        while out.count < headerBytes { out.append(0) }
        out.append(contentsOf: bytes)
        return out
    }

    private static func appendUInt32(_ value: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 24))
    }
}
