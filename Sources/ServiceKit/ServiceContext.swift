import HTTPClient
import JSON
import Runtime
import Store

/// What a service may use, handed to its factory: settings, the run loop, MQTT through a
/// `MessagePort`, the gateway's HTTP client, its node and topic prefix, its health and
/// attention, a way to ask for a gateway restart, and wake-up sources of its own.
///
/// Subscriptions and wake sources made through the context are remembered, and `release()`
/// (the host calls it after `stop()`) removes whatever a service left behind, so a stopped
/// service can leave nothing running even if its own `stop` forgets something.
public final class ServiceContext {
    /// The service's name (`can`, `benchlab`): its key in `state` and its logger's name.
    public let name: String
    public let store: ConfigStore
    public let loop: EventLoop
    /// The gateway's MQTT client, as far as a service may touch it.
    public let port: MessagePort
    /// This gateway's node name.
    public let node: String
    /// `switchyard/<node>`: where the gateway's own topics live.
    public let topicPrefix: String
    /// Whether the service's `enabled` key is on. A disabled service is made (its commands
    /// say it is disabled) but never started.
    public let isEnabled: Bool
    public let log: Logger
    /// The gateway's one HTTP(S) client (libcurl in the run loop), shared by every service.
    /// A service cancels its own requests in `stop()`: a cancelled request never completes.
    public let http: HTTPClient
    /// The last health reported (the host sets `.failed` when `start` throws).
    public internal(set) var health: ServiceHealth

    /// What the service last reported needing from a person (`.none` until it reports).
    public private(set) var reportedAttention = Attention.none

    /// What the service needs from a person, as the LED and the `state` topic show it: what
    /// it reported, or `.fault` while its health is `.failed`.
    public var attention: Attention {
        if case .failed = health { return .fault }
        return reportedAttention
    }

    let healthChanged: (ServiceContext) -> Void
    let attentionChanged: (ServiceContext) -> Void
    /// Publishes the `state` topic now (what `stateChanged()` asks for).
    let publishState: (ServiceContext) -> Void
    let restartRequested: (String) -> Void
    let gatewayStateProvider: () -> JSONValue
    /// Every service's metrics; the host sets it (a lone context has none).
    var gatewayMetricsProvider: () -> [ServiceMetrics] = { [] }
    /// The gateway's command registry, for a service that is itself a door (the dashboard's
    /// actions run the console's commands); the host sets it.
    public internal(set) var commandRegistry: CommandRegistry?
    private var subscriptions: [PortToken] = []
    private var wakeSources: [WakeSource] = []
    /// The Home Assistant announcers handed out (`homeAssistant(prefix:)`), withdrawn on a rename.
    var announcers: [HomeAssistantAnnouncer] = []

    /// A context for service `name`; the host makes one per service instance.
    public init(name: String, store: ConfigStore, loop: EventLoop, port: MessagePort, node: String,
                topicPrefix: String, isEnabled: Bool, healthChanged: @escaping (ServiceContext) -> Void = { _ in },
                restartRequested: @escaping (String) -> Void = { _ in },
                attentionChanged: @escaping (ServiceContext) -> Void = { _ in },
                publishState: @escaping (ServiceContext) -> Void = { _ in }, http: HTTPClient? = nil,
                gatewayState: @escaping () -> JSONValue = { .null }) {
        self.name = name
        self.store = store
        self.loop = loop
        self.port = port
        self.node = node
        self.topicPrefix = topicPrefix
        self.isEnabled = isEnabled
        self.log = Logger(name)
        // Without a shared client (a test making one context) the context gets its own.
        self.http = http ?? HTTPClient(loop: loop)
        self.health = isEnabled ? .ok : .disabled
        self.healthChanged = healthChanged
        self.restartRequested = restartRequested
        self.attentionChanged = attentionChanged
        self.publishState = publishState
        self.gatewayStateProvider = gatewayState
    }

    /// The run loop's clock.
    public var clock: TimeSource { loop.clock }

    /// Records a change of health: the `state` topic and the LED follow at once. Reporting
    /// the health it already has does nothing.
    public func report(_ health: ServiceHealth) {
        guard health != self.health else { return }
        self.health = health
        healthChanged(self)
    }

    /// Records what the service needs from a person (an update starts: `.updating`; a login
    /// waits for its code: `.needsPerson`; done: `.none`). The LED and the `state` topic
    /// follow at once; reporting the attention it already has does nothing.
    public func report(attention: Attention) {
        guard attention != reportedAttention else { return }
        reportedAttention = attention
        attentionChanged(self)
    }

    /// Says the service's `state` block changed in a way worth publishing now, not at the
    /// next heartbeat (an update's phase).
    public func stateChanged() { publishState(self) }

    /// Asks the gateway to stop gracefully and start again (OTA after switching slots).
    public func requestRestart(_ reason: String) { restartRequested(reason) }

    /// The whole `state` heartbeat as the `state` topic carries it (every service's block
    /// included): how a service that shows the gateway (the web dashboard) reads the others
    /// without importing them. Built on each call; not for hot paths.
    public func gatewayState() -> JSONValue { gatewayStateProvider() }

    /// Subscribes through the port; removed by `unsubscribe` or, at the latest, by `release`.
    /// `acknowledged` hears the broker's answer (granted or refused) after every (re)connect.
    public func subscribe(_ filter: String, qos: Int32 = 0, acknowledged: ((SubscriptionGrant) -> Void)? = nil,
                          _ handler: @escaping (MQTTMessage) -> Void) -> PortToken {
        let token = port.subscribe(filter, qos: qos, acknowledged: acknowledged, handler)
        subscriptions.append(token)
        return token
    }

    /// Removes one subscription made through `subscribe`.
    public func unsubscribe(_ token: PortToken) {
        guard let index = subscriptions.firstIndex(of: token) else { return }
        subscriptions.remove(at: index)
        port.unsubscribe(token)
    }

    /// A wake-up source of the service's own for a thread it runs (see `WakeSource`).
    public func wakeSource(_ handler: @escaping () -> Void) throws(ServiceError) -> WakeSource {
        do throws(RuntimeError) {
            let source = try loop.wakeSource(handler)
            wakeSources.append(source)
            return source
        } catch {
            throw .runtime(error)
        }
    }

    /// Removes every subscription and wake source still held. The host calls it after the
    /// service's `stop()`.
    public func release() {
        for token in subscriptions { port.unsubscribe(token) }
        subscriptions.removeAll()
        for source in wakeSources { source.cancel() }
        wakeSources.removeAll()
    }

    /// Subscriptions currently held (tests check a stopped service holds none).
    public var subscriptionCount: Int { subscriptions.count }
}
