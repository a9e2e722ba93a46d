import Console
import Testing

/// `log tail`'s ring: the last lines in order, bounded, long lines cut.
@Suite struct LogTailTests {
    @Test func keepsTheLastLinesInOrderAndDropsTheOldest() {
        let tail = LogTail(capacity: 3)
        #expect(tail.last(5).isEmpty)
        for number in 1...5 { tail.append("line \(number)") }
        #expect(tail.last(10) == ["line 3", "line 4", "line 5"])
        #expect(tail.last(2) == ["line 4", "line 5"])
        #expect(tail.last(0).isEmpty)
    }

    @Test func cutsLongLines() {
        let tail = LogTail(capacity: 2)
        tail.append(String(repeating: "x", count: 5000))
        let kept = tail.last(1)[0]
        #expect(kept.utf8.count < 600)
        #expect(kept.hasSuffix("..."))
    }
}
