/// Bytes waiting for a descriptor to become writable: bounded, so a stalled peer can never
/// grow memory. The owner picks the policy when it is full: `append` refuses (the RPC
/// server then disconnects the client), `appendDroppingOldest` keeps the newest bytes and
/// counts what it dropped (a stalled UART loses old output, never the process).
struct OutputBuffer {
    let capacity: Int
    private var bytes: [UInt8] = []
    /// Bytes already written from the front of `bytes`; compacted lazily.
    private var start = 0
    /// Bytes discarded by `appendDroppingOldest`.
    private(set) var droppedBytes = 0

    init(capacity: Int) {
        precondition(capacity > 0, "output buffer capacity must be positive")
        self.capacity = capacity
    }

    /// Bytes waiting to be written.
    var count: Int { bytes.count - start }
    var isEmpty: Bool { count == 0 }

    /// Queues `data` whole, or returns false (queuing nothing) when it does not fit.
    mutating func append(_ data: [UInt8]) -> Bool {
        guard count + data.count <= capacity else { return false }
        compactIfWorthIt(adding: data.count)
        bytes.append(contentsOf: data)
        return true
    }

    /// Queues `data`, dropping the oldest waiting bytes (or the front of `data` itself, if
    /// it alone is larger than the buffer) to make room.
    mutating func appendDroppingOldest(_ data: [UInt8]) {
        if data.count >= capacity {
            droppedBytes += count + data.count - capacity
            bytes = Array(data[(data.count - capacity)...])
            start = 0
            return
        }
        let overflow = count + data.count - capacity
        if overflow > 0 {
            start += overflow
            droppedBytes += overflow
        }
        compactIfWorthIt(adding: data.count)
        bytes.append(contentsOf: data)
    }

    /// Calls `write` with up to `limit` waiting bytes; it returns how many it wrote (nil if
    /// none could be), and those leave the buffer.
    @discardableResult
    mutating func drain(limit: Int, _ write: (UnsafeRawBufferPointer) -> Int?) -> Int {
        guard !isEmpty else { return 0 }
        let end = min(bytes.count, start + limit)
        let written = bytes[start..<end].withUnsafeBytes { write($0) } ?? 0
        start += written
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            start = 0
        }
        return written
    }

    /// Forgets everything waiting (the peer is gone).
    mutating func removeAll() {
        bytes.removeAll()
        start = 0
    }

    /// Moves the waiting bytes to the front once the written prefix is at least half the
    /// storage, so appends never grow the array past twice the capacity.
    private mutating func compactIfWorthIt(adding incoming: Int) {
        guard start > 0, start >= bytes.count / 2 || bytes.count + incoming > 2 * capacity else { return }
        bytes.removeFirst(start)
        start = 0
    }
}
