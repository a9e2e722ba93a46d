import JSON
import Runtime
import ServiceKit
import Store

/// The CAN tunnel as a service: reads `can.*` when made, opens the bus at start, tunnels it
/// through the context's message port, and offers the `can` command. Its health follows the
/// tunnel's events (bus open, failed, impaired), reported as they happen.
public final class CANService: Service {
    /// The catalogue's entry for the CAN tunnel.
    public static var descriptor: ServiceDescriptor {
        ServiceDescriptor(
            name: "can", summary: "CAN bus <-> MQTT tunnel, wire-compatible with PyMQTT2CAN and SavvyCAN.",
            enabled: CANConfigKeys.enabled, keys: CANConfigKeys.all, sharedKeys: [StandardKeys.mqttQoS.any],
            commands: [CANTunnelCommand.command], selftests: CANSelftests.checks,
            make: { context in CANService(context: context) })
    }

    let context: ServiceContext
    /// Frames/s each way for the dashboard's readings (`CANService+Readings`).
    var frameRates = CANFrameRates()
    private let busOverride: CANBusSettings?
    /// The running tunnel, while started.
    public private(set) var tunnel: CANTunnel?

    /// A service configured by `context.store`; `bus` replaces the configured bus (the
    /// standalone tunnel's synthetic bus for benchmarks).
    public init(context: ServiceContext, bus: CANBusSettings? = nil) {
        self.context = context
        busOverride = bus
    }

    /// Opens the bus and starts tunnelling; a bus that cannot open yet is retried (degraded
    /// meanwhile), settings that cannot work throw.
    public func start() throws(ServiceError) {
        guard tunnel == nil else { return }
        let (busSettings, tunnelSettings) = try CANService.settings(from: context.store)
        do throws(CANError) {
            let tunnel = try CANTunnel(settings: tunnelSettings, bus: try (busOverride ?? busSettings).makeBus(),
                                       port: context.port, loop: context.loop)
            tunnel.onStateChange = { [self] in self.reportHealth() }
            self.tunnel = tunnel
            try tunnel.start()
        } catch {
            throw CANService.serviceError(error)
        }
        reportHealth()
    }

    /// Closes the bus and unsubscribes; frames from MQTT no longer reach anything.
    public func stop() {
        tunnel?.stop()
        tunnel = nil
    }

    private func reportHealth() {
        guard let tunnel else { return }
        switch tunnel.state {
        case .closed: break
        case .failed(let reason): context.report(.degraded(tunnel.bus.name + ": " + reason + " (retrying)"))
        case .open: context.report(tunnel.bus.problem.map { .degraded($0) } ?? .ok)
        }
    }

    /// The tunnel's settings, bus state and counters; when not running, why not.
    public func stateJSON() -> JSONValue {
        guard let tunnel else {
            var object = JSONObject(minimumCapacity: 2)
            object.append("running", false)
            if !context.health.detail.isEmpty { object.append("problem", .string(context.health.detail)) }
            return .object(object)
        }
        return tunnel.stateJSON()
    }

    /// `can status|restart|send ID#DATA`.
    public var commands: [Command] {
        [Command("can", usage: "status|restart|send ID#DATA",
                 help: "CAN tunnel: counters and bus state, reopen the bus, or write one frame (cansend syntax).",
                 remote: .readOnly(["", "status"])) {
            [self] request in self.command(request)
        }]
    }

    private func command(_ request: CommandRequest) -> CommandReply {
        let verb = request.argument(0) ?? "status"
        switch verb {
        case "status":
            return context.statusReply(stateJSON())
        case "restart":
            guard let tunnel else { return .failure(notRunning) }
            do throws(CANError) { try tunnel.restart() } catch { return .failure(error.description) }
            return .text("reopening " + tunnel.bus.name)
        case "send":
            guard let tunnel else { return .failure(notRunning) }
            guard let text = request.argument(1), var frame = CANFrame(text: text) else {
                return .failure("usage: can send ID#DATA, e.g. can send 7DF#0201050000000000 or 18DAF110#0322F190")
            }
            frame.timestamp = WallClock.microsecondsSinceEpoch()
            let before = tunnel.stats.framesToBus
            tunnel.transmit(frame)
            if tunnel.stats.framesToBus == before { return .failure("not sent: the bus is closed, full or listen-only") }
            return .text("sent " + frame.description + " to " + tunnel.bus.name)
        default:
            return .failure("unknown can command \"" + verb + "\"; use status, restart or send ID#DATA")
        }
    }

    /// Why there is no tunnel to act on.
    private var notRunning: String { context.notRunningText("the CAN tunnel", enableHint: "set can.enabled true") }

    /// The bus and tunnel settings `store` describes, or the key that cannot work and why.
    public static func settings(from store: ConfigStore) throws(ServiceError) -> (CANBusSettings, CANTunnelSettings) {
        let kind = store.value(CANConfigKeys.bus)
        let device = kind == .slcan ? store.string(CANConfigKeys.slcanDevice) : store.string(CANConfigKeys.interface)
        let bitrate = store.integer(CANConfigKeys.bitrate)
        let dataBitrate = store.integer(CANConfigKeys.dataBitrate)
        let listenOnly = store.boolean(CANConfigKeys.listenOnly)
        let bus = CANBusSettings(kind: kind, device: device, bitrate: bitrate == 0 ? nil : bitrate,
                                 dataBitrate: dataBitrate == 0 ? nil : dataBitrate, listenOnly: listenOnly)
        if let problem = bus.problem {
            let key = kind == .slcan && problem.containsText("data phase") ? CANConfigKeys.dataBitrate.name
                                                                           : CANConfigKeys.bitrate.name
            throw .invalidSetting(key: key, reason: problem)
        }
        // The topic's kind already keeps wildcards out: this cannot fail for a stored value.
        guard let topics = CANTopics(base: store.string(CANConfigKeys.topic), mode: store.value(CANConfigKeys.mode)) else {
            throw .invalidSetting(key: CANConfigKeys.topic.name, reason: "not a topic to publish under")
        }
        let filter: CANFilter
        do throws(CANError) { filter = try CANFilter(parsing: store.string(CANConfigKeys.filters)) } catch {
            throw .invalidSetting(key: CANConfigKeys.filters.name, reason: error.description)
        }
        let tunnel = CANTunnelSettings(topics: topics, filter: filter, onlyChanges: store.boolean(CANConfigKeys.onlyChanges),
                                       ringCapacity: store.integer(CANConfigKeys.ringCapacity), listenOnly: listenOnly,
                                       fdBitRateSwitch: store.boolean(CANConfigKeys.fdBitRateSwitch),
                                       qos: Int32(store.integer(StandardKeys.mqttQoS)),
                                       batchWindow: .microseconds(Int64(store.integer(CANConfigKeys.batchMicroseconds))))
        return (bus, tunnel)
    }

    /// A CAN error as the service contract's: a missing interface or device is "unavailable".
    static func serviceError(_ error: CANError) -> ServiceError {
        switch error {
        case .invalidSettings(let reason): return .invalidSetting(key: "can", reason: reason)
        case .unavailable(let what): return .unavailable(what)
        default: return .failed(error.description)
        }
    }
}
