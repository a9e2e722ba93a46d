import HTTPClient
import JSON
import Runtime
import Store

/// Runs the services of a catalogue: makes each from a context, registers its commands,
/// starts the enabled ones, keeps their health, restarts those whose settings changed, and
/// stops them all in reverse order. The gateway and `switchyard can-tunnel` both use it.
public final class ServiceHost {
    /// One service of the catalogue and its current instance.
    final class Slot {
        let descriptor: ServiceDescriptor
        var context: ServiceContext
        var service: Service
        var settings: ConfigSnapshot
        var started = false
        var registered = false

        init(descriptor: ServiceDescriptor, context: ServiceContext, service: Service, settings: ConfigSnapshot) {
            self.descriptor = descriptor
            self.context = context
            self.service = service
            self.settings = settings
        }
    }

    public let store: ConfigStore
    public let loop: EventLoop
    public let commands: CommandRegistry
    /// The HTTP client every service's context shares.
    public let http: HTTPClient
    /// Called when any service's health or attention changes, a service asks for its state to
    /// be published now, or a settings change restarted services (the gateway republishes
    /// `state` and sets the LED).
    public var onStateChange: (() -> Void)?
    /// Called when a service asks for a gateway restart.
    public var onRestartRequest: ((String) -> Void)?
    /// The gateway's whole `state` (what `ServiceContext.gatewayState()` returns); without
    /// it, services see `{"services": ...}` from this host alone.
    public var stateProvider: (() -> JSONValue)?

    private let port: MessagePort
    private var node: String
    private var topicPrefix: String
    private var slots: [Slot] = []
    private var pendingApply: OneShotTimer?
    private let log = Logger("services")

    /// A host for `catalogue`, publishing through `port`; nothing is made until `startAll()`.
    public init(catalogue: [ServiceDescriptor], store: ConfigStore, loop: EventLoop, port: MessagePort, node: String,
                topicPrefix: String, commands: CommandRegistry, http: HTTPClient? = nil) {
        self.store = store
        self.http = http ?? HTTPClient(loop: loop, settings: HTTPClientSettings.from(store))
        self.loop = loop
        self.port = port
        self.node = node
        self.topicPrefix = topicPrefix
        self.commands = commands
        for descriptor in catalogue { slots.append(makeSlot(descriptor)) }
    }

    /// The services' names, in catalogue order.
    public var names: [String] { slots.map { $0.descriptor.name } }

    /// The health of service `name`, if the catalogue has it.
    public func health(of name: String) -> ServiceHealth? { slot(name)?.context.health }

    /// The running instance of service `name` (tests and the standalone CAN tunnel use it).
    public func service(named name: String) -> Service? { slot(name)?.service }

    /// The context of service `name` (tests check what a stopped service still holds).
    public func context(of name: String) -> ServiceContext? { slot(name)?.context }

    /// The attention of service `name`, if the catalogue has it.
    public func attention(of name: String) -> Attention? { slot(name)?.context.attention }

    /// The highest attention over every service and the first service (in catalogue order)
    /// that has it; `(.none, nil)` when no service needs anything. What the LED shows.
    public var highestAttention: (attention: Attention, service: String?) {
        var highest = Attention.none
        var service: String? = nil
        for slot in slots where slot.context.attention > highest {
            highest = slot.context.attention
            service = slot.descriptor.name
        }
        return (highest, service)
    }

    // MARK: lifecycle

    /// Registers every service's commands (once) and starts the enabled ones. A service that cannot
    /// start is reported as failed (its commands stay, to say why); the others start anyway.
    public func startAll() {
        for slot in slots {
            register(slot)
            start(slot)
        }
    }

    /// Stops every started service, last first.
    public func stopAll() {
        pendingApply?.cancel()
        pendingApply = nil
        for slot in slots.reversed() { stop(slot) }
    }

    /// Restarts exactly the services whose keys changed since they were made (after `reload`,
    /// SIGHUP, or `config set` + `save`), each logged once. Deferred to the next loop pass: a
    /// save may come from inside an MQTT callback, and a stop unsubscribes.
    public func settingsChanged() {
        guard pendingApply == nil else { return }
        pendingApply = loop.after(.zero) { [self] in
            self.pendingApply = nil
            self.applySettings()
        }
    }

    /// `settingsChanged()` without the deferral; returns the names of the services restarted.
    @discardableResult
    public func applySettings() -> [String] {
        var restarted: [String] = []
        for (index, slot) in slots.enumerated() {
            let now = store.snapshot(slot.descriptor.watchedKeys)
            guard now != slot.settings else { continue }
            log.info(slot.descriptor.name + ": settings changed, restarting")
            remake(index)
            restarted.append(slot.descriptor.name)
        }
        if !restarted.isEmpty { onStateChange?() }
        return restarted
    }

    /// The gateway's name changed (`node.name`): every service is made again with the new
    /// name and topic prefix, so its topics move and its Home Assistant discovery is
    /// announced again under them; the enabled ones start again. What was announced under
    /// the old name is withdrawn first (empty retained configs), so Home Assistant drops
    /// those entities instead of keeping them unavailable beside the new ones.
    public func rename(node newNode: String, topicPrefix newPrefix: String) {
        guard newNode != node || newPrefix != topicPrefix else { return }
        node = newNode
        topicPrefix = newPrefix
        for slot in slots { slot.context.withdrawDiscovery() }
        for index in slots.indices { remake(index) }
        onStateChange?()
    }

    /// Stops the service at `index` and replaces it with a new instance from its descriptor.
    private func remake(_ index: Int) {
        let slot = slots[index]
        stop(slot)
        unregister(slot)
        let fresh = makeSlot(slot.descriptor)
        slots[index] = fresh
        register(fresh)
        start(fresh)
    }

    // MARK: state

    /// `services` of the `state` heartbeat: per service its health (and what is wrong), its
    /// attention when it needs a person, and its own block under `state`, so no service's
    /// keys can collide with another's.
    public func stateJSON() -> JSONValue {
        var services = JSONObject(minimumCapacity: slots.count)
        for slot in slots {
            let health = slot.context.health
            var entry = JSONObject(minimumCapacity: 5)
            entry.append("health", .string(health.name))
            if !health.detail.isEmpty { entry.append("detail", .string(health.detail)) }
            entry.append("enabled", .bool(slot.context.isEnabled))
            let attention = slot.context.attention
            if attention != .none { entry.append("attention", .string(attention.name)) }
            entry.append("state", slot.service.stateJSON())
            let readings = slot.service.readings
            if !readings.isEmpty { entry.append("readings", .array(readings.map { $0.json })) }
            services.append(slot.descriptor.name, .object(entry))
        }
        return .object(services)
    }

    // MARK: slots

    private func slot(_ name: String) -> Slot? { slots.first { $0.descriptor.name == name } }

    private func makeSlot(_ descriptor: ServiceDescriptor) -> Slot {
        let context = ServiceContext(
            name: descriptor.name, store: store, loop: loop, port: port, node: node, topicPrefix: topicPrefix,
            isEnabled: store.value(descriptor.enabled),
            healthChanged: { [self] context in self.healthChanged(context) },
            restartRequested: { [self] reason in self.onRestartRequest?(reason) },
            attentionChanged: { [self] context in self.attentionChanged(context) },
            publishState: { [self] context in self.publishStateRequested(context) }, http: http,
            gatewayState: { [self] in self.stateProvider?() ?? .object(["services": self.stateJSON()]) })
        context.gatewayMetricsProvider = { [self] in self.metrics() }
        context.commandRegistry = commands
        return Slot(descriptor: descriptor, context: context, service: descriptor.make(context),
                    settings: store.snapshot(descriptor.watchedKeys))
    }

    private func start(_ slot: Slot) {
        guard slot.context.isEnabled, !slot.started else { return }
        do throws(ServiceError) {
            try slot.service.start()
            slot.started = true
        } catch {
            log.error(slot.descriptor.name + ": cannot start: " + error.description)
            // Whatever the failed start did open must not outlive it.
            slot.service.stop()
            slot.context.release()
            slot.context.report(.failed(error.description))
        }
    }

    private func stop(_ slot: Slot) {
        guard slot.started else { return }
        slot.started = false
        slot.service.stop()
        slot.context.release()
    }

    private func register(_ slot: Slot) {
        guard !slot.registered else { return }
        slot.registered = true
        for command in slot.service.commands { commands.register(command) }
    }

    private func unregister(_ slot: Slot) {
        guard slot.registered else { return }
        slot.registered = false
        for command in slot.service.commands { commands.unregister(command.name) }
    }

    private func healthChanged(_ context: ServiceContext) {
        // Only the current instance speaks for a service; an old one stopping is not news.
        guard let slot = slot(context.name), slot.context === context else { return }
        let health = context.health
        switch health {
        case .ok: log.info(context.name + ": ok")
        case .degraded(let why): log.warning(context.name + ": degraded: " + why)
        case .failed(let why): log.error(context.name + ": failed: " + why)
        case .disabled: break
        }
        onStateChange?()
    }

    private func attentionChanged(_ context: ServiceContext) {
        guard let slot = slot(context.name), slot.context === context else { return }
        log.info(context.name + ": attention " + context.reportedAttention.name)
        onStateChange?()
    }

    private func publishStateRequested(_ context: ServiceContext) {
        guard let slot = slot(context.name), slot.context === context else { return }
        onStateChange?()
    }
}
