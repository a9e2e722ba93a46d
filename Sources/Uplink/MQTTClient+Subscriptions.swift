import Runtime
import ServiceKit

/// The subscription table: who listens to which filter, the SUBSCRIBE sent for each filter
/// on this connection and the broker's answer to it (the SUBACK), and the connect handlers.
extension MQTTClient {
    /// One subscriber: its filter, handler, and what the broker answered on this connection.
    struct Subscription {
        let token: PortToken
        let filter: String
        let qos: Int32
        let handler: (MQTTMessage) -> Void
        let acknowledged: ((SubscriptionGrant) -> Void)?
        /// nil until the SUBACK for its filter arrives on the current connection.
        var grant: SubscriptionGrant?
    }

    /// Calls `handler` for every message matching `filter`; survives reconnects.
    @discardableResult
    public func subscribe(_ filter: String, qos: Int32 = 0, _ handler: @escaping (MQTTMessage) -> Void) -> PortToken {
        subscribe(filter, qos: qos, acknowledged: nil, handler)
    }

    /// Subscribes as `subscribe(_:qos:_:)` does; `acknowledged` hears the broker's answer to
    /// the SUBSCRIBE for `filter` after the connect and after every reconnect.
    @discardableResult
    public func subscribe(_ filter: String, qos: Int32 = 0, acknowledged: ((SubscriptionGrant) -> Void)?,
                          _ handler: @escaping (MQTTMessage) -> Void) -> PortToken {
        let token = makeToken()
        let known = subscriptions.contains { $0.filter == filter && $0.qos >= qos }
        // A filter already subscribed at this QoS is not sent again: share its answer, if any.
        let grant = known ? subscriptions.first(where: { $0.filter == filter && $0.grant != nil })?.grant : nil
        subscriptions.append(Subscription(token: token, filter: filter, qos: qos, handler: handler,
                                          acknowledged: acknowledged, grant: grant))
        if state == .connected && !known { sendSubscribe(filter, qos: qos) }
        if let grant, let acknowledged {
            // Not from inside `subscribe`: the caller has not even stored its token yet.
            loop.after(.zero) { [self] in
                if self.subscriptions.contains(where: { $0.token == token }) { acknowledged(grant) }
            }
        }
        return token
    }

    /// Removes a subscription; the broker is told when no other one uses the same filter.
    public func unsubscribe(_ token: PortToken) {
        guard let index = subscriptions.firstIndex(where: { $0.token == token }) else { return }
        let filter = subscriptions.remove(at: index).filter
        if state == .connected && !subscriptions.contains(where: { $0.filter == filter }) {
            _ = session.unsubscribe(filter)
            updateWriteInterest()
        }
    }

    /// Subscriptions held (a stopped service must bring this back to where it was).
    public var subscriptionCount: Int { subscriptions.count }

    /// Whether the client is connected and the broker answered (granted or refused) the
    /// SUBSCRIBE of every subscription held, on this connection: what a test waits for
    /// before publishing to a subscriber, instead of a fixed time.
    public var subscriptionsAnswered: Bool {
        state == .connected && subscriptions.allSatisfy { $0.grant != nil }
    }

    /// The broker's answer to the subscription `token` on this connection (nil: none yet).
    public func grant(of token: PortToken) -> SubscriptionGrant? {
        subscriptions.first(where: { $0.token == token })?.grant
    }

    /// Calls `handler` after every successful connect, before the outbox drains.
    @discardableResult
    public func onConnect(_ handler: @escaping () -> Void) -> PortToken {
        let token = makeToken()
        connectHandlers.append((token, handler))
        return token
    }

    /// Removes a connect handler.
    public func removeConnectHandler(_ token: PortToken) {
        connectHandlers.removeAll { $0.token == token }
    }

    private func makeToken() -> PortToken {
        nextToken += 1
        return PortToken(nextToken)
    }

    /// Whether `topic` matches the subscription `filter` (+ and # wildcards).
    public static func topic(_ topic: String, matches filter: String) -> Bool {
        MosquittoSession.topic(topic, matches: filter)
    }

    // MARK: SUBSCRIBE and SUBACK

    /// Subscribes every filter again on a fresh connection (the broker forgot them unless the
    /// session persisted; asking again is harmless then). Earlier answers no longer hold.
    func resubscribeAll() {
        pendingSubscribes.removeAll()
        var filters: [String] = []
        for index in subscriptions.indices {
            subscriptions[index].grant = nil
            let filter = subscriptions[index].filter
            guard !filters.contains(filter) else { continue }
            filters.append(filter)
            // The highest QoS any subscriber of the filter asked for.
            var qos = subscriptions[index].qos
            for other in subscriptions where other.filter == filter { qos = max(qos, other.qos) }
            sendSubscribe(filter, qos: qos)
        }
    }

    /// Sends one SUBSCRIBE and remembers its message id for the SUBACK.
    private func sendSubscribe(_ filter: String, qos: Int32) {
        let (code, messageID) = session.subscribe(filter, qos: qos)
        if code == MosquittoSession.success {
            pendingSubscribes.append((messageID, filter))
        } else if code != MosquittoSession.noConnection {
            // Never reached the broker (an invalid filter): as final as a refusal. Told on the
            // next pass: `subscribe` has not returned the token yet.
            let refusal = SubscriptionGrant.refused(code: -1, reason: MosquittoSession.describe(code))
            loop.after(.zero) { [self] in self.answer(filter, with: refusal) }
        }
        // Without a connection the next connect subscribes it.
    }

    /// Tells every subscriber of the SUBSCRIBE `messageID` what the broker answered.
    func sessionSubscribed(messageID: Int32, granted: [Int32]) {
        guard let index = pendingSubscribes.firstIndex(where: { $0.messageID == messageID }) else { return }
        let filter = pendingSubscribes.remove(at: index).filter
        // One filter per SUBSCRIBE, so one answer; an empty SUBACK grants nothing.
        let code = granted.first ?? 0x80
        answer(filter, with: code >= 0x80
            ? .refused(code: code, reason: MQTTReasonCode.subscriptionRefusal(code)) : .granted(qos: code))
    }

    private func answer(_ filter: String, with grant: SubscriptionGrant) {
        if case .refused(let code, let reason) = grant {
            stats.refusedSubscriptions += 1
            let hint = code == 0x80 || code == 0x87 ? "; check the broker's ACL for this client" : ""
            log.warning("\(settings.endpoint) refused the subscription to \(filter): \(reason) (\(code)); "
                        + "nothing on it will arrive\(hint)")
        }
        var callbacks: [(SubscriptionGrant) -> Void] = []
        for index in subscriptions.indices where subscriptions[index].filter == filter {
            subscriptions[index].grant = grant
            if let acknowledged = subscriptions[index].acknowledged { callbacks.append(acknowledged) }
        }
        // After the table is updated: a callback may subscribe or unsubscribe.
        for callback in callbacks { callback(grant) }
    }

    // MARK: MosquittoSessionDelegate: messages

    func sessionReceived(topic: String, payload: [UInt8], qos: Int32, retain: Bool) {
        stats.received += 1
        let message = MQTTMessage(topic: topic, payload: payload, qos: qos, retain: retain)
        for subscription in subscriptions where MosquittoSession.topic(topic, matches: subscription.filter) {
            subscription.handler(message)
        }
    }
}
