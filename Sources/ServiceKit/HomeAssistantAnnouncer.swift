import JSON

/// Publishes a service's Home Assistant discovery configs (QoS 1, retained: Home Assistant
/// must get them even when it starts later), preceded once per run by the gateway's own.
public final class HomeAssistantAnnouncer {
    public let discovery: HomeAssistantDiscovery
    private let port: MessagePort
    private var gatewayAnnounced = false

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
        port.publish(discovery.topic(entity), Array(discovery.config(entity).serialized().utf8), qos: 1, retain: true)
        return sent + 1
    }

    /// Withdraws a config announced before (an empty retained payload).
    public func withdraw(component: HomeAssistantEntity.Component, source: String, deviceKey: String, key: String) {
        port.publish(discovery.topic(component: component, source: source, deviceKey: deviceKey, key: key), [],
                     qos: 1, retain: true)
    }
}
