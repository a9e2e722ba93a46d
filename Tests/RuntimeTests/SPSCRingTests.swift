import Runtime
import Synchronization
import Testing

@Suite("Lock-free SPSC ring")
struct SPSCRingTests {
    @Test("10 million items across two threads arrive once and in order")
    func tenMillionInOrder() throws {
        let count = 10_000_000
        let ring = try SPSCRing<Int>(capacity: 4096)
        let producer = try WorkerThread {
            var next = 0
            while next < count {
                if ring.tryPush(next) { next += 1 }
            }
        }
        var expected = 0
        var mismatches = 0
        while expected < count {
            guard let item = ring.pop() else { continue }
            if item != expected { mismatches += 1; expected = item }
            expected += 1
        }
        producer.join()
        #expect(mismatches == 0)
        #expect(ring.pop() == nil)
        #expect(ring.dropped == 0)
    }

    @Test("a full ring drops the new item and counts exactly")
    func fullRingDropsAndCounts() throws {
        let ring = try SPSCRing<Int>(capacity: 8)
        for value in 0..<8 { #expect(ring.push(value)) }
        for value in 8..<20 { #expect(!ring.push(value)) }
        #expect(ring.dropped == 12)
        #expect(ring.depth == 8)
        var drained: [Int] = []
        ring.drain { drained.append($0) }
        #expect(drained == Array(0..<8), "the oldest items are kept, the new ones dropped")
        #expect(ring.push(99))
        #expect(ring.dropped == 12)
        #expect(!ring.tryPush(-1) || ring.depth == 2)
    }

    @Test("drops counted across threads equal pushes minus arrivals")
    func dropsAcrossThreadsExact() throws {
        let count = 1_000_000
        let ring = try SPSCRing<Int>(capacity: 64)
        // Read only after join(); an atomic because the producer thread writes it.
        let accepted = Atomic<Int>(0)
        let producer = try WorkerThread {
            for value in 0..<count where ring.push(value) { accepted.add(1, ordering: .relaxed) }
        }
        var received = 0
        var last = -1
        var ordered = true
        var producerDone = false
        while !producerDone || ring.depth > 0 {
            if let item = ring.pop() {
                if item <= last { ordered = false }
                last = item
                received += 1
            } else if received + ring.dropped == count {
                producerDone = true
            }
        }
        producer.join()
        #expect(ordered)
        #expect(received == accepted.load(ordering: .relaxed))
        #expect(received + ring.dropped == count)
    }

    @Test("capacity must be a power of two")
    func rejectsBadCapacity() {
        #expect(throws: RuntimeError.invalidCapacity(100)) { try SPSCRing<Int>(capacity: 100) }
        #expect(throws: RuntimeError.invalidCapacity(1)) { try SPSCRing<Int>(capacity: 1) }
    }

    @Test("items holding references are released exactly once")
    func releasesReferences() throws {
        // One test thread makes and drops tokens; the counter is nonisolated(unsafe) for that.
        final class Token {
            nonisolated(unsafe) static var live = 0
            init() { Token.live += 1 }
            deinit { Token.live -= 1 }
        }
        do {
            let ring = try SPSCRing<Token>(capacity: 4)
            for _ in 0..<3 { ring.push(Token()) }
            _ = ring.pop()
            #expect(Token.live == 2)
        }
        #expect(Token.live == 0, "the ring's deinit released what was still queued")
    }
}
