import Synchronization

/// A bounded lock-free queue for exactly one producer thread and one consumer thread.
///
/// Capacity is a power of two; head and tail run free (they only ever grow) and are masked
/// into the buffer, so full and empty need no extra flag. Each side release-stores its own
/// index after touching the slot and acquire-loads the other side's, which is all the
/// ordering one-producer/one-consumer needs. A full ring drops the new item and counts it:
/// the producer (a bus reader at line rate) must never block.
public final class SPSCRing<Element> {
    public let capacity: Int
    private let mask: Int
    private let slots: UnsafeMutablePointer<Element>

    // Written by the consumer, read by the producer.
    private let head = Atomic<Int>(0)
    // Keeps head and tail on different cache lines: two cores hammering one line halves
    // throughput.
    private let padding: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
    // Written by the producer, read by the consumer.
    private let tail = Atomic<Int>(0)
    private let droppedCount = Atomic<Int>(0)

    // Each side's cached copy of the other's index: refreshed only when it looks full/empty.
    private var producerCachedHead = 0
    private var consumerCachedTail = 0

    public init(capacity: Int) throws(RuntimeError) {
        guard capacity >= 2, capacity & (capacity - 1) == 0 else { throw .invalidCapacity(capacity) }
        self.capacity = capacity
        mask = capacity - 1
        slots = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
    }

    deinit {
        var index = head.load(ordering: .relaxed)
        let end = tail.load(ordering: .relaxed)
        while index != end {
            (slots + (index & mask)).deinitialize(count: 1)
            index &+= 1
        }
        slots.deallocate()
    }

    /// Producer side: enqueues `item`, or drops it (and counts) when the ring is full.
    @discardableResult
    public func push(_ item: Element) -> Bool {
        if tryPush(item) { return true }
        droppedCount.add(1, ordering: .relaxed)
        return false
    }

    /// Producer side: enqueues `item` if there is room; a full ring returns false and counts
    /// nothing (for a producer that can wait and retry, e.g. a file reader or a test).
    public func tryPush(_ item: Element) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t &- producerCachedHead >= capacity {
            producerCachedHead = head.load(ordering: .acquiring)
            if t &- producerCachedHead >= capacity { return false }
        }
        (slots + (t & mask)).initialize(to: item)
        tail.store(t &+ 1, ordering: .releasing)
        return true
    }

    /// Consumer side: the oldest item, or nil when empty.
    public func pop() -> Element? {
        let h = head.load(ordering: .relaxed)
        if h == consumerCachedTail {
            consumerCachedTail = tail.load(ordering: .acquiring)
            if h == consumerCachedTail { return nil }
        }
        let item = (slots + (h & mask)).move()
        head.store(h &+ 1, ordering: .releasing)
        return item
    }

    /// Consumer side: hands up to `limit` items to `body` in order; returns how many.
    @discardableResult
    public func drain(limit: Int = .max, _ body: (Element) -> Void) -> Int {
        var count = 0
        while count < limit, let item = pop() {
            body(item)
            count += 1
        }
        return count
    }

    /// Items waiting (a snapshot; either side may move it at once).
    public var depth: Int {
        tail.load(ordering: .acquiring) &- head.load(ordering: .acquiring)
    }

    /// Items dropped because the ring was full.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }
}

/// One producer thread and one consumer thread share a ring by design: the indices are
/// atomics with the orderings above, each cached index belongs to one side only, and a slot
/// is touched by one side at a time. The compiler cannot see that protocol, hence unchecked.
extension SPSCRing: @unchecked Sendable where Element: Sendable {}
