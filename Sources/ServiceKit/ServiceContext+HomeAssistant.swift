/// Home Assistant discovery through the context, so the host can take back what a service
/// announced when the node's name (in every config topic and unique id) changes.
extension ServiceContext {
    /// An announcer for discovery under Home Assistant's `prefix`, with this context's node and
    /// topic prefix. A service makes one (or one per kind of value) when it is made.
    public func homeAssistant(prefix: String) -> HomeAssistantAnnouncer {
        let announcer = HomeAssistantAnnouncer(port: port, discovery: HomeAssistantDiscovery(
            prefix: prefix, node: node, topicPrefix: topicPrefix))
        announcers.append(announcer)
        return announcer
    }

    /// Withdraws every config announced through this context.
    func withdrawDiscovery() {
        for announcer in announcers { announcer.withdrawAll() }
    }
}
