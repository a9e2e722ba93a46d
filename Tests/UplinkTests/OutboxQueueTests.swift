import Contracts
import Runtime
import Testing
@testable import Uplink

@Suite("Outbox queue")
struct OutboxQueueTests {
    private func message(_ index: Int, size: Int = 1) -> MQTTMessage {
        MQTTMessage(topic: "t", payload: [UInt8](repeating: UInt8(index & 0xFF), count: size), qos: 1, retain: false)
    }

    @Test("keeps order and drops the oldest when the count is exceeded")
    func dropOldestByCount() {
        var queue = OutboxQueue(maxMessages: 3, maxBytes: 1_000)
        for index in 0..<5 { queue.append(message(index)) }
        #expect(queue.dropped == 2)
        #expect(queue.count == 3)
        var order: [UInt8] = []
        while let next = queue.removeFirst() { order.append(next.payload[0]) }
        #expect(order == [2, 3, 4])
        #expect(queue.bytes == 0)
    }

    @Test("drops the oldest when the byte budget is exceeded")
    func dropOldestByBytes() {
        var queue = OutboxQueue(maxMessages: 100, maxBytes: 50)
        for index in 0..<5 { queue.append(message(index, size: 19)) } // 20 bytes each with topic
        #expect(queue.count == 2)
        #expect(queue.dropped == 3)
        #expect(queue.bytes == 40)
        #expect(queue.first?.payload.first == 3)
    }

    @Test("a message larger than the whole budget is dropped and counted")
    func oversizedMessage() {
        var queue = OutboxQueue(maxMessages: 10, maxBytes: 10)
        queue.append(message(1, size: 100))
        #expect(queue.isEmpty)
        #expect(queue.dropped == 1)
    }

    @Test("prepend puts a message back in front")
    func prepend() {
        var queue = OutboxQueue(maxMessages: 4, maxBytes: 100)
        queue.append(message(1)); queue.append(message(2))
        let first = queue.removeFirst()!
        queue.prepend(first)
        #expect(queue.removeFirst()?.payload == [1])
        #expect(queue.removeFirst()?.payload == [2])
    }
}

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test("doubles from 1 s to a 60 s ceiling, each delay within the ceiling's upper half")
    func doublesWithJitter() {
        var generator = SystemRandomNumberGenerator()
        var random = ReconnectBackoff(random: { generator.next() })
        var low = ReconnectBackoff(random: { 0 })
        let ceilings: [Int64] = [1, 2, 4, 8, 16, 32, 60, 60, 60]
        for ceiling in ceilings {
            #expect(random.ceiling == .seconds(ceiling))
            let delay = random.nextDelay()
            #expect(delay <= .seconds(ceiling))
            #expect(delay >= Interval(nanoseconds: Interval.seconds(ceiling).nanoseconds / 2))
            #expect(low.nextDelay() == Interval(nanoseconds: Interval.seconds(ceiling).nanoseconds / 2))
        }
        random.reset()
        #expect(random.ceiling == .seconds(1))
    }
}
