import Testing
@testable import CapnProto

/// The codec against hand-written bytes from the encoding spec and against itself.
struct CapnpCodecTests {
    @Test func builtStructReadsBack() throws {
        let builder = CapnpBuilder()
        let root = builder.initRoot(dataWords: 2, pointerCount: 3)
        root.setUInt32(at: 0, 0xDEAD_BEEF)
        root.setUInt16(at: 3, 7)
        root.setUInt64(at: 1, 0x0123_4567_89AB_CDEF)
        root.setBool(at: 33, true)
        root.setText(0, "AA:BB:CC:DD:EE:FF")
        root.setTextList(1, ["one", "", "three"])
        let items = root.initStructList(2, count: 2, dataWords: 1, pointerCount: 1)
        items[1].setText(0, "second")
        items[1].setBool(at: 1, true)
        let message = try CapnpMessage.framed(builder.framed())
        let read = try message.root()
        #expect(read.uint32(at: 0) == 0xDEAD_BEEF)
        #expect(read.uint16(at: 3) == 7)
        #expect(read.uint64(at: 1) == 0x0123_4567_89AB_CDEF)
        #expect(read.bool(at: 33) && !read.bool(at: 32))
        #expect(try read.text(0) == "AA:BB:CC:DD:EE:FF")
        #expect(try read.textList(1) == ["one", "", "three"])
        let list = try read.structList(2)
        #expect(list.count == 2)
        #expect(try list[0].text(0) == "" && !list[0].bool(at: 1))
        #expect(try list[1].text(0) == "second" && list[1].bool(at: 1))
        // Past the sections: defaults.
        #expect(read.uint64(at: 5) == 0 && read.isNull(9))
    }

    /// The spec's example: a struct behind a single far pointer into segment 1, and one behind
    /// a double far (landing pad in segment 1, content in segment 2).
    @Test func farPointersAreFollowed() throws {
        // Segment 0: root = far pointer to segment 1 word 0.
        var segment0 = word(2 | (0 << 3) | (1 << 32))
        // Segment 1: landing pad (struct pointer, offset 0, 1 data word, 1 pointer), then the
        // struct: data 42, pointer = double far to segment 1 word 3.
        var segment1 = word(0 | (1 << 32) | (1 << 48)) + word(42) + word(6 | (3 << 3) | (1 << 32))
        // Word 3-4 of segment 1: far pointer to segment 2 word 0, tag (struct, 1 data word).
        segment1 += word(2 | (0 << 3) | (2 << 32)) + word(0 | (1 << 32))
        let segment2 = word(99)
        segment0 += []
        let bytes = segment0 + segment1 + segment2
        let message = CapnpMessage(bytes: bytes, segmentWords: [1, 5, 1])
        let root = try message.root()
        #expect(root.uint64(at: 0) == 42)
        #expect(try root.structField(0)?.uint64(at: 0) == 99)
    }

    @Test func pointerOutOfItsSegmentIsRefused() throws {
        // Root struct claims 4 data words in a 2-word segment.
        let message = CapnpMessage(bytes: word(0 | (4 << 32)) + word(0), segmentWords: [2])
        #expect(throws: CapnpError.pointerOutOfBounds) { try message.root() }
        // A far pointer to a segment that does not exist.
        let far = CapnpMessage(bytes: word(2 | (7 << 32)), segmentWords: [1])
        #expect(throws: CapnpError.pointerOutOfBounds) { try far.root() }
    }

    @Test func textMustEndInNul() throws {
        // Root: 0 data, 1 pointer; the pointer: byte list of 3 "abc" without NUL.
        let bytes = word(0 | (1 << 48)) + word(1 | (2 << 32) | (3 << 35)) + [0x61, 0x62, 0x63, 0, 0, 0, 0, 0]
        let root = try CapnpMessage(bytes: bytes, segmentWords: [3]).root()
        #expect(throws: CapnpError.badText) { try root.text(0) }
    }

    @Test func nestingPastTheLimitIsRefused() throws {
        // A chain of structs, each pointing at the next: 70 deep.
        var bytes = word(0 | (1 << 48))
        for _ in 0..<70 { bytes += word(0 | (1 << 48)) }
        bytes += word(0)
        let message = CapnpMessage(bytes: bytes, segmentWords: [72])
        var current: CapnpStructReader? = try message.root()
        var depth = 0
        #expect(throws: CapnpError.nestingLimitExceeded) {
            while let next = current {
                current = try next.structField(0)
                depth += 1
            }
        }
        #expect(depth == 63)
    }

    @Test func traversalLimitStopsAmplification() throws {
        // The same list of 1000 empty structs read again and again costs a word per element
        // each time, though it takes one word (its tag) in the message.
        let bytes = word(0 | (1 << 48)) + word(1 | (7 << 32) | (0 << 35)) + word(1000 << 2)
        var limits = CapnpLimits.standard
        limits.traversalWords = 5000
        let root = try CapnpMessage(bytes: bytes, segmentWords: [3], limits: limits).root()
        #expect(try root.structList(0).count == 1000)
        #expect(throws: CapnpError.traversalLimitExceeded) {
            for _ in 0..<10 { _ = try root.structList(0) }
        }
    }

    @Test func framingLimitsAreCheckedFromTheHeader() throws {
        var assembler = CapnpFrameAssembler()
        // 600 segments.
        let header: [UInt8] = [0x57, 0x02, 0, 0]
        header.withUnsafeBytes { assembler.feed($0) }
        #expect(throws: CapnpError.tooManySegments(600)) { try assembler.next() }
        var big = CapnpFrameAssembler()
        let huge: [UInt8] = [0, 0, 0, 0, 0, 0, 0x10, 0]
        huge.withUnsafeBytes { big.feed($0) }
        #expect(throws: CapnpError.messageTooLarge(words: 0x100000)) { try big.next() }
    }

    @Test func assemblerWaitsForWholeMessagesAndSplitsBackToBack() throws {
        let one = CapnpBuilder()
        one.initRoot(dataWords: 1, pointerCount: 0).setUInt32(at: 0, 1)
        let two = CapnpBuilder()
        two.initRoot(dataWords: 1, pointerCount: 0).setUInt32(at: 0, 2)
        let stream = one.framed() + two.framed()
        var assembler = CapnpFrameAssembler()
        var seen: [UInt32] = []
        for byte in stream {
            [byte].withUnsafeBytes { assembler.feed($0) }
            while let message = try assembler.next() { seen.append(try message.root().uint32(at: 0)) }
        }
        #expect(seen == [1, 2])
        #expect(!assembler.hasPartialMessage)
    }

    private func word(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}
