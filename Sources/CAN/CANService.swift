import Console
import JSON
import Runtime
import Store
import Uplink

/// The CAN tunnel as a gateway service: reads `can.*` (and `can.iface`) from the config
/// store, opens the bus, tunnels it over the gateway's uplink, and offers the `can`
/// command. Disabled unless `can.enabled` is true.
public final class CANService: Service {
    public let name = "can"
    private let store: ConfigStore
    private let client: MQTTClient
    private let loop: EventLoop
    private let log = Logger("can")
    /// The running tunnel, while started and enabled.
    public private(set) var tunnel: CANTunnel?
    private var startProblem: String?
    /// Called when the service's health may have changed (the gateway republishes `state`).
    public var onHealthChange: (() -> Void)?

    /// A service tunnelling over `client` on `loop`; the store's schema must include
    /// `CANConfigKeys.all` and `StandardKeys.canInterface`.
    public init(store: ConfigStore, client: MQTTClient, loop: EventLoop) {
        self.store = store
        self.client = client
        self.loop = loop
    }

    /// Opens the bus and starts tunnelling when `can.enabled`; a bus that cannot open yet is retried.
    public func start() throws(ServiceError) {
        guard tunnel == nil, store.boolean(CANConfigKeys.enabled) else { return }
        do throws(CANError) {
            let (busSettings, tunnelSettings) = try CANService.settings(from: store)
            let tunnel = try CANTunnel(settings: tunnelSettings, bus: try busSettings.makeBus(), client: client, loop: loop)
            tunnel.onStateChange = { [self] in self.onHealthChange?() }
            self.tunnel = tunnel
            startProblem = nil
            tunnel.start()
        } catch {
            startProblem = error.description
            throw ServiceError("can: " + error.description)
        }
    }

    /// Closes the bus; frames from MQTT are ignored until the next start.
    public func stop() {
        tunnel?.stop()
        tunnel = nil
    }

    public var health: ServiceHealth {
        guard let tunnel else {
            if let startProblem { return .failed(startProblem) }
            return .disabled
        }
        switch tunnel.state {
        case .closed: return .disabled
        case .failed(let reason): return .failed(reason)
        case .open:
            if let problem = tunnel.bus.problem { return .degraded(problem) }
            if !client.isConnected { return .degraded("MQTT broker not connected: frames from the bus are dropped") }
            return .ok
        }
    }

    /// The tunnel's settings, bus state and counters, plus `enabled` and `health`.
    public func stateJSON() -> JSONValue {
        guard let tunnel else { return ["enabled": false, "health": .string(health.name)] }
        var object = tunnel.stateJSON().objectValue ?? JSONObject()
        object["enabled"] = true
        object["health"] = .string(health.name)
        return .object(object)
    }

    /// Adds `can status|restart|send ID#DATA`.
    public func registerCommands(_ registry: CommandRegistry) {
        registry.register(Command(
            "can", usage: "status|restart|send ID#DATA",
            help: "CAN tunnel: counters and bus state, reopen the bus, or write one frame (cansend syntax).")
        { [self] request in self.command(request) })
    }

    private func command(_ request: CommandRequest) -> CommandReply {
        let verb = request.argument(0) ?? "status"
        switch verb {
        case "status":
            return .json(stateJSON())
        case "restart":
            guard let tunnel else { return .failure("the CAN tunnel is not running (set can.enabled true)") }
            do throws(CANError) { try tunnel.restart() } catch { return .failure(error.description) }
            return .text("reopening " + tunnel.bus.name)
        case "send":
            guard let tunnel else { return .failure("the CAN tunnel is not running (set can.enabled true)") }
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

    /// The bus and tunnel settings `store` describes, or what is wrong with them.
    public static func settings(from store: ConfigStore) throws(CANError) -> (CANBusSettings, CANTunnelSettings) {
        guard let kind = CANBusSettings.Kind(name: store.string(CANConfigKeys.bus)) else {
            throw .invalidSettings("can.bus must be socketcan or slcan")
        }
        let device = kind == .slcan ? store.string(CANConfigKeys.slcanDevice) : store.string(StandardKeys.canInterface)
        let bitrate = store.integer(CANConfigKeys.bitrate)
        let dataBitrate = store.integer(CANConfigKeys.dataBitrate)
        let listenOnly = store.boolean(CANConfigKeys.listenOnly)
        let bus = CANBusSettings(kind: kind, device: device, bitrate: bitrate == 0 ? nil : bitrate,
                                 dataBitrate: dataBitrate == 0 ? nil : dataBitrate, listenOnly: listenOnly)
        if let problem = bus.problem { throw .invalidSettings(problem) }

        let base = store.string(CANConfigKeys.topic)
        let mode = CANTunnelMode(name: store.string(CANConfigKeys.mode)) ?? .server
        guard let topics = CANTopics(base: base, mode: mode) else {
            throw .invalidSettings("can.topic: " + (CANTopics.problem(with: base) ?? "invalid"))
        }
        var tunnel = CANTunnelSettings(topics: topics, filter: try CANFilter(parsing: store.string(CANConfigKeys.filters)),
                                       onlyChanges: store.boolean(CANConfigKeys.onlyChanges),
                                       ringCapacity: store.integer(CANConfigKeys.ringCapacity), listenOnly: listenOnly,
                                       fdBitRateSwitch: store.boolean(CANConfigKeys.fdBitRateSwitch))
        if let problem = tunnel.problem { throw .invalidSettings("can.ring_capacity: " + problem) }
        tunnel.listenOnly = listenOnly
        return (bus, tunnel)
    }
}
