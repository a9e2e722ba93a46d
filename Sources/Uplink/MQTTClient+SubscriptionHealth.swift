import Contracts

/// The uplink's health as its subscriptions make it: a broker that refuses the command
/// topic's SUBSCRIBE leaves the gateway connected but deaf to `cmnd/...`, which is no
/// healthy state. The answers come from the subscription table's SUBACKs.
extension MQTTClient {
    /// Each filter the broker refused on this connection, with its SUBACK code and reason.
    public var refusedSubscriptionList: [CloudSubscriptionRefusal] {
        var refused: [CloudSubscriptionRefusal] = []
        for subscription in subscriptions {
            guard case .refused(let code, let reason)? = subscription.grant,
                  !refused.contains(where: { $0.filter == subscription.filter }) else { continue }
            refused.append(CloudSubscriptionRefusal(filter: subscription.filter, code: code, reason: reason))
        }
        return refused
    }

    /// nil while every answered subscription is granted; else why the uplink is degraded:
    /// "subscription to <filter> refused: <reason> (<code>)", the first of them plus a count.
    public var subscriptionProblem: String? {
        let refused = refusedSubscriptionList
        guard let first = refused.first else { return nil }
        return first.description + (refused.count > 1 ? " and " + String(refused.count - 1) + " more" : "")
    }
}
