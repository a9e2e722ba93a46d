/// The `traceId`s of the last events, to drop a repeat: Skoda's broker sometimes sends the
/// same event twice. Bounded: the oldest id is forgotten when a new one needs the room
/// (repeats come right after the original, not hours later).
struct SkodaRecentTraces {
    let capacity: Int
    private var ids: [String] = []
    private var next = 0

    init(capacity: Int = 64) { self.capacity = max(1, capacity) }

    /// Whether `id` was seen lately; remembers it if not.
    mutating func isRepeat(_ id: String) -> Bool {
        if ids.contains(id) { return true }
        if ids.count < capacity {
            ids.append(id)
        } else {
            ids[next] = id
            next = (next + 1) % capacity
        }
        return false
    }
}
