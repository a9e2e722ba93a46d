/// Which chunks of an image have arrived: one bit per chunk, stored as hex in the transfer
/// record so a restarted gateway asks only for what it lacks.
public struct ChunkBitmap: Equatable {
    public let count: Int
    public private(set) var bits: [UInt8]
    /// Chunks set so far.
    public private(set) var received = 0

    /// An empty bitmap of `count` chunks.
    public init(count: Int) {
        precondition(count >= 0, "ChunkBitmap: negative count")
        self.count = count
        bits = [UInt8](repeating: 0, count: (count + 7) / 8)
    }

    /// A bitmap restored from `bits`; nil when the length does not fit `count` or bits
    /// beyond `count` are set (a record that does not belong to this manifest).
    public init?(count: Int, bits: [UInt8]) {
        guard count >= 0, bits.count == (count + 7) / 8 else { return nil }
        self.count = count
        self.bits = bits
        var total = 0
        for index in 0..<bits.count * 8 where bits[index >> 3] & (1 << UInt8(index & 7)) != 0 {
            guard index < count else { return nil }
            total += 1
        }
        received = total
    }

    public func contains(_ index: Int) -> Bool {
        precondition(index >= 0 && index < count, "ChunkBitmap: index out of range")
        return bits[index >> 3] & (1 << UInt8(index & 7)) != 0
    }

    /// Marks chunk `index`; returns false when it was already there (a QoS 1 duplicate).
    @discardableResult
    public mutating func insert(_ index: Int) -> Bool {
        guard !contains(index) else { return false }
        bits[index >> 3] |= 1 << UInt8(index & 7)
        received += 1
        return true
    }

    public var isComplete: Bool { received == count }

    /// The missing chunks as inclusive ranges, at most `limit` of them (a `need` message
    /// stays small; the sender asks again for the rest).
    public func missingRanges(limit: Int) -> [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        var index = 0
        while index < count && ranges.count < limit {
            guard !contains(index) else {
                index += 1
                continue
            }
            let start = index
            while index < count && !contains(index) { index += 1 }
            ranges.append(start...(index - 1))
        }
        return ranges
    }
}
