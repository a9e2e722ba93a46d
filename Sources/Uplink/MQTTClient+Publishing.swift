import Runtime
import Contracts

/// Publishing and the outbox accounting: what goes to libmosquitto now, what waits in the
/// outbox, the in-flight window and the QoS 0 send backlog.
extension MQTTClient {
    /// Messages handed to libmosquitto and not yet acknowledged.
    public var inflightCount: Int { inflight }

    /// The outbox's fill, for the services' port (`MessagePort.outboxLevel`).
    public var outboxLevel: OutboxLevel { OutboxLevel(waiting: outbox.count, capacity: outbox.maxMessages, bytes: outbox.bytes, byteCapacity: outbox.maxBytes) }

    /// Whether libmosquitto still has bytes to write to the socket.
    public var hasPendingWrites: Bool { socketWatch != nil && session.wantsWrite }

    /// Publishes `payload` on `topic`. QoS 1/2 messages wait in the outbox while disconnected.
    @discardableResult
    public func publish(_ topic: String, _ payload: [UInt8], qos: Int32 = 0, retain: Bool = false) -> PublishOutcome {
        let message = MQTTMessage(topic: topic, payload: payload, qos: qos, retain: retain)
        if state == .connected && outbox.isEmpty && (qos == 0 || inflight < settings.maxInflight) {
            return hand(message)
        }
        if qos == 0 {
            guard state == .connected else {
                stats.droppedQoS0 += 1
                return .dropped("not connected (QoS 0)")
            }
            return hand(message)
        }
        outbox.append(message)
        outboxChanged = true
        if state == .connected { drainOutbox() }
        return .queued
    }

    /// Publishes UTF-8 text (the `MessagePort` requirement, with defaults for direct callers).
    @discardableResult
    public func publish(_ topic: String, text: String, qos: Int32 = 0, retain: Bool = false) -> PublishOutcome {
        publish(topic, Array(text.utf8), qos: qos, retain: retain)
    }

    private func hand(_ message: MQTTMessage) -> PublishOutcome {
        if message.qos == 0 {
            // libmosquitto queues without limit; a broker slower than a busy bus would grow
            // memory until the board runs out. Drop the newest instead, and count it.
            if qos0Backlog >= settings.maxQoS0Backlog {
                stats.droppedQoS0 += 1
                return .dropped("send backlog full (QoS 0)")
            }
            qos0Backlog += 1
        }
        let (code, messageID) = session.publish(message)
        if code == MosquittoSession.success {
            stats.published += 1
            if message.qos > 0 { inflightIDs.insert(messageID) }
            updateWriteInterest()
            return .sent
        }
        if code == MosquittoSession.noConnection, message.qos > 0 {
            outbox.prepend(message)
            outboxChanged = true
            return .queued
        }
        stats.rejected += 1
        let reason = MosquittoSession.describe(code)
        log.warning("publish to \(message.topic) refused: \(reason)")
        return .dropped(reason)
    }

    func drainOutbox() {
        while state == .connected || state == .stopping, inflight < settings.maxInflight,
              let message = outbox.removeFirst() {
            outboxChanged = true
            if case .queued = hand(message) { break }
        }
    }

    // MARK: MosquittoSessionDelegate: acknowledgements

    func sessionPublished(messageID: Int32) {
        // A QoS 0 message written out: nothing was waiting for it.
        guard inflightIDs.remove(messageID) != nil else { return }
        stats.acknowledged += 1
        drainOutbox()
        // We are inside libmosquitto's loop_read here; disconnecting from within a callback
        // would re-enter it (and deadlock on its lock), so the check runs right after.
        if state == .stopping { loop.after(.zero) { [self] in self.checkStopProgress() } }
    }
}
