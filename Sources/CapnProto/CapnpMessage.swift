/// A received message: its segments (contiguous in `bytes`) and the reader's budget. Every
/// pointer it follows is bounds-checked against its segment, far pointers included, and
/// every struct or list it opens is charged against the traversal limit, so a hostile
/// message costs at most the limits' worth of work.
public final class CapnpMessage {
    let bytes: [UInt8]
    /// Each segment's first word in `bytes` and its length in words.
    let segmentStart: [Int]
    let segmentWords: [Int]
    public let limits: CapnpLimits
    /// Words the reader may still visit.
    private(set) var traversalLeft: Int

    /// `bytes` holds the segments back to back, `segmentWords` their sizes.
    public init(bytes: [UInt8], segmentWords: [Int], limits: CapnpLimits = .standard) {
        self.bytes = bytes
        self.segmentWords = segmentWords
        var starts: [Int] = []
        var word = 0
        for size in segmentWords {
            starts.append(word)
            word += size
        }
        segmentStart = starts
        self.limits = limits
        traversalLeft = limits.traversalWords
    }

    /// Parses a whole framed message (header and segments), as a file or a test holds it.
    public static func framed(_ data: [UInt8], limits: CapnpLimits = .standard) throws(CapnpError) -> CapnpMessage {
        var assembler = CapnpFrameAssembler(limits: limits)
        data.withUnsafeBytes { assembler.feed($0) }
        guard let message = try assembler.next(), !assembler.hasPartialMessage else { throw .badFraming }
        return message
    }

    /// The root struct: the pointer at word 0 of segment 0.
    public func root() throws(CapnpError) -> CapnpStructReader {
        try readStruct(segment: 0, pointerWord: 0, depth: limits.nestingDepth)
            ?? CapnpStructReader.empty(self, depth: limits.nestingDepth)
    }

    func word(_ segment: Int, _ index: Int) -> UInt64 {
        let offset = (segmentStart[segment] + index) * 8
        var value: UInt64 = 0
        for byte in 0..<8 { value |= UInt64(bytes[offset + byte]) << (8 * UInt64(byte)) }
        return value
    }

    /// Charges `words` (at least one) against the traversal limit.
    func charge(_ words: Int) throws(CapnpError) {
        let cost = max(words, 1)
        guard cost <= traversalLeft else {
            traversalLeft = 0
            throw .traversalLimitExceeded
        }
        traversalLeft -= cost
    }

    /// Where a pointer at (`segment`, `pointerWord`) really points: the segment, the word the
    /// content starts at, and the pointer word describing it (a far pointer's landing pad or
    /// tag). Nil for a null pointer.
    func resolve(segment: Int, pointerWord: Int) throws(CapnpError) -> (segment: Int, content: Int, pointer: UInt64)? {
        let pointer = word(segment, pointerWord)
        if pointer == 0 { return nil }
        guard pointer & 3 == 2 else {
            // Offset in words from the end of the pointer, signed 30 bits.
            let offset = Int(Int32(bitPattern: UInt32(truncatingIfNeeded: pointer)) >> 2)
            return (segment, pointerWord + 1 + offset, pointer)
        }
        let padSegment = Int(pointer >> 32)
        let padWord = Int(UInt32(truncatingIfNeeded: pointer) >> 3)
        let doubleFar = pointer & 4 != 0
        guard padSegment < segmentWords.count, padWord + (doubleFar ? 2 : 1) <= segmentWords[padSegment] else {
            throw .pointerOutOfBounds
        }
        let pad = word(padSegment, padWord)
        if !doubleFar {
            guard pad & 3 != 2 else { throw .unexpectedPointer }
            let offset = Int(Int32(bitPattern: UInt32(truncatingIfNeeded: pad)) >> 2)
            return (padSegment, padWord + 1 + offset, pad)
        }
        // Double far: a far pointer to the content (single, no offset tricks) and its tag.
        guard pad & 7 == 2 else { throw .unexpectedPointer }
        let tag = word(padSegment, padWord + 1)
        guard tag & 3 != 2, UInt32(truncatingIfNeeded: tag) >> 2 == 0 else { throw .unexpectedPointer }
        let contentSegment = Int(pad >> 32)
        guard contentSegment < segmentWords.count else { throw .pointerOutOfBounds }
        return (contentSegment, Int(UInt32(truncatingIfNeeded: pad) >> 3), tag)
    }

    func checkRange(_ segment: Int, _ start: Int, _ words: Int) throws(CapnpError) {
        guard start >= 0, words >= 0, start + words <= segmentWords[segment] else { throw .pointerOutOfBounds }
    }

    /// The struct a pointer leads to, nil for a null pointer.
    func readStruct(segment: Int, pointerWord: Int, depth: Int) throws(CapnpError) -> CapnpStructReader? {
        guard let target = try resolve(segment: segment, pointerWord: pointerWord) else { return nil }
        guard depth > 0 else { throw .nestingLimitExceeded }
        guard target.pointer & 3 == 0 else { throw .unexpectedPointer }
        let dataWords = Int(UInt16(truncatingIfNeeded: target.pointer >> 32))
        let pointerCount = Int(UInt16(truncatingIfNeeded: target.pointer >> 48))
        try checkRange(target.segment, target.content, dataWords + pointerCount)
        try charge(dataWords + pointerCount)
        return CapnpStructReader(message: self, segment: target.segment, dataWord: target.content,
                                 dataWords: dataWords, pointerCount: pointerCount, depth: depth - 1)
    }

    /// A list pointer's element size code (0...7), element count and first element word.
    func readList(segment: Int, pointerWord: Int, depth: Int) throws(CapnpError)
        -> (segment: Int, content: Int, sizeCode: Int, count: Int)?
    {
        guard let target = try resolve(segment: segment, pointerWord: pointerWord) else { return nil }
        guard depth > 0 else { throw .nestingLimitExceeded }
        guard target.pointer & 3 == 1 else { throw .unexpectedPointer }
        let sizeCode = Int((target.pointer >> 32) & 7)
        let count = Int(target.pointer >> 35)
        let bits = [0, 1, 8, 16, 32, 64, 64, 64][sizeCode]
        let words = sizeCode == 7 ? count + 1 : (count * bits + 63) / 64
        try checkRange(target.segment, target.content, words)
        // A list of zero-size elements costs a word per element, as the reference counts it,
        // so a huge empty list cannot amplify work.
        try charge(bits == 0 ? count : words)
        return (target.segment, target.content, sizeCode, count)
    }
}
