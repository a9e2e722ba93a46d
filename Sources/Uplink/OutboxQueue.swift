import Contracts

// The outbox holds the same `MQTTMessage` a subscriber receives: one type for a message on
// its way in or out.

extension MQTTMessage {
    /// What the message costs the outbox's byte budget.
    var cost: Int { topic.utf8.count + payload.count }
}

/// QoS 1/2 messages published while the broker is away, delivered in order after reconnect.
///
/// Bounded by a message count and a byte budget; when either is exceeded the OLDEST message
/// is dropped and counted (fresh data matters more than stale data on a gateway, and the
/// producer must never block). libmosquitto's own offline queue is unbounded, which is why
/// messages wait here and are handed to it only while connected.
public struct OutboxQueue {
    public let maxMessages: Int
    public let maxBytes: Int
    public private(set) var bytes = 0
    /// Messages dropped to make room, since start.
    public private(set) var dropped = 0

    // A ring of slots: O(1) append and drop-oldest without shifting an array.
    private var slots: [MQTTMessage?]
    private var head = 0
    public private(set) var count = 0

    public init(maxMessages: Int, maxBytes: Int) {
        precondition(maxMessages > 0 && maxBytes > 0, "an outbox needs room for something")
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
        slots = [MQTTMessage?](repeating: nil, count: maxMessages)
    }

    public var isEmpty: Bool { count == 0 }

    /// Appends `message`, dropping the oldest until it fits. A message larger than the whole
    /// byte budget is itself dropped (and counted): it could never be kept.
    public mutating func append(_ message: MQTTMessage) {
        guard message.cost <= maxBytes else {
            dropped += 1
            return
        }
        while count == maxMessages || bytes + message.cost > maxBytes {
            _ = removeFirst()
            dropped += 1
        }
        slots[(head + count) % maxMessages] = message
        count += 1
        bytes += message.cost
    }

    /// The oldest message, without removing it.
    public var first: MQTTMessage? { count == 0 ? nil : slots[head] }

    /// Removes and returns the oldest message.
    @discardableResult
    public mutating func removeFirst() -> MQTTMessage? {
        guard count > 0, let message = slots[head] else { return nil }
        slots[head] = nil
        head = (head + 1) % maxMessages
        count -= 1
        bytes -= message.cost
        return message
    }

    /// Puts a message back at the front (a hand-over to the broker that failed).
    public mutating func prepend(_ message: MQTTMessage) {
        if count == maxMessages || bytes + message.cost > maxBytes {
            // No room: the message we were about to send is the oldest, so it is the one to drop.
            dropped += 1
            return
        }
        head = (head + maxMessages - 1) % maxMessages
        slots[head] = message
        count += 1
        bytes += message.cost
    }
}
