/// Frames waiting for room in a SocketCAN socket's transmit queue, oldest first. Bounded:
/// when it is full the bus refuses new frames (the tunnel counts them), because a bus that
/// cannot keep up will not catch up by queueing more.
struct SocketCANPendingQueue {
    let capacity: Int
    private var slots: [CANFrame?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        slots = [CANFrame?](repeating: nil, count: capacity)
    }

    var isEmpty: Bool { count == 0 }

    var first: CANFrame? { count == 0 ? nil : slots[head] }

    /// Appends `frame`; false (and nothing changes) when full.
    mutating func append(_ frame: CANFrame) -> Bool {
        guard count < capacity else { return false }
        slots[(head + count) % capacity] = frame
        count += 1
        return true
    }

    mutating func removeFirst() {
        guard count > 0 else { return }
        slots[head] = nil
        head = (head + 1) % capacity
        count -= 1
    }

    mutating func removeAll() {
        for index in 0..<capacity { slots[index] = nil }
        head = 0
        count = 0
    }
}
