import JSON

/// Publishes a service's Home Assistant discovery configs (QoS 1, retained: Home Assistant
/// must get them even when it starts later), preceded once per run by the gateway's own.
///
/// Every config topic carries the node's name, so it remembers what it announced: when
/// `node.name` changes the host withdraws it all (`withdrawAll`), or Home Assistant would keep
/// an unavailable twin of every entity under the old name.
public final class HomeAssistantAnnouncer {
    public let discovery: HomeAssistantDiscovery
    private let port: MessagePort
    private var gatewayAnnounced = false
    /// The config topics announced and not withdrawn. Bounded by the entities the service
    /// announces, which each service bounds (its device table, its catalogue).
    private var announced = Set<String>()

    public init(port: MessagePort, discovery: HomeAssistantDiscovery) {
        self.port = port
        self.discovery = discovery
    }

    /// Announces `entity`; returns how many messages went out (2 the first time).
    @discardableResult
    public func announce(_ entity: HomeAssistantEntity) -> Int {
        var sent = 0
        if !gatewayAnnounced {
            gatewayAnnounced = true
            port.publish(discovery.gatewayTopic, Array(discovery.gatewayConfig().serialized().utf8), qos: 1, retain: true)
            sent += 1
        }
        let topic = discovery.topic(entity)
        port.publish(topic, Array(discovery.config(entity).serialized().utf8), qos: 1, retain: true)
        announced.insert(topic)
        return sent + 1
    }

    /// Withdraws a config announced before (an empty retained payload).
    public func withdraw(component: HomeAssistantEntity.Component, source: String, deviceKey: String, key: String) {
        let topic = discovery.topic(component: component, source: source, deviceKey: deviceKey, key: key)
        port.publish(topic, [], qos: 1, retain: true)
        announced.remove(topic)
    }

    /// Withdraws everything announced through this instance, the gateway's own config included.
    public func withdrawAll() {
        for topic in announced { port.publish(topic, [], qos: 1, retain: true) }
        announced.removeAll()
        if gatewayAnnounced {
            gatewayAnnounced = false
            port.publish(discovery.gatewayTopic, [], qos: 1, retain: true)
        }
    }
}
