import Board
import Console
import CSupport
import HTTPClient
import JSON
import Runtime
import ServiceCatalog
import ServiceKit
import Store
import Uplink

/// The composition root: reads the settings, builds the run loop, the uplink, the command
/// doors and the service host over the catalogue, and shuts them down in order. It holds no
/// protocol logic and names no service.
final class Gateway {
    let store: ConfigStore
    let loop: EventLoop
    var node: String
    let board: String
    let uplink: MQTTClient
    let status: StatusPublisher
    let led: LEDController
    let commands = CommandRegistry()
    private var console: ConsoleTerminal?
    private var rpc: RPCServer?
    private var rpcSettings: RPCDoorSettings
    var commandTopics: CommandTopicBridge?
    let services: ServiceHost
    private let signals: SignalEvents
    private let logLevelOverride: LogLevel?
    private let logFormatOverride: LogFormat?
    let log = Logger("switchyard")
    private let supervisor = SupervisorLink()
    private let started: Instant
    private(set) var exitStatus: Int32 = 0
    private var shuttingDown = false
    private var restartAfterStop = false
    /// Normal, or safe mode (console, uplink, OTA) after repeated crashes.
    let mode: GatewayMode
    /// Settings the gateway could not start a part with (the uplink's), for `status` and the LED.
    private(set) var problems: [SettingProblem] = []
    /// Where the uplink's settings came from when not from the current ones.
    private(set) var uplinkFallback: String?
    /// Whether the uplink runs at all: not when neither the settings nor a kept copy work.
    private var uplinkUsable = true
    private let lastGoodUplink: LastGoodUplink
    /// The connection settings last kept by `lastGoodUplink`.
    private var rememberedUplink: MQTTSettings?
    /// Why the last run ended, as the supervisor recorded it (shown once, at this start).
    let lastCrash: String?
    private var safeModeTimer: OneShotTimer?

    init(store: ConfigStore, signals: SignalEvents, logLevelOverride: LogLevel?, logFormatOverride: LogFormat?,
         mode: GatewayMode = .normal) throws(GatewayError)
    {
        self.store = store
        self.mode = mode
        lastGoodUplink = LastGoodUplink(dataDirectory: store.dataDirectory)
        lastCrash = LastCrashRecord.take(dataDirectory: store.dataDirectory)
        self.signals = signals
        self.logLevelOverride = logLevelOverride
        self.logFormatOverride = logFormatOverride
        rpcSettings = RPCDoorSettings(store)
        Gateway.applyLogSettings(store, levelOverride: logLevelOverride, formatOverride: logFormatOverride)
        do throws(RuntimeError) { loop = try EventLoop() } catch { throw .runtime(error) }
        started = loop.clock.now()
        node = store.string(StandardKeys.nodeName)
        board = store.string(BoardConfigKeys.name)
        let ledPath = store.string(BoardConfigKeys.ledPath)
        led = LEDController(loop: loop, device: ledPath.isEmpty ? nil : LEDDevice(directory: ledPath))
        let topics = StatusTopics(node: node)
        let choice = try UplinkChoice.make(store: store, kept: lastGoodUplink.store(like: store), mode: mode,
                                           node: node, will: StatusPublisher.will(for: topics), loop: loop)
        uplink = choice.client
        problems = choice.problems
        uplinkFallback = choice.fallback
        uplinkUsable = choice.usable
        services = ServiceHost(catalogue: mode.services(from: ServiceCatalog.services), store: store, loop: loop,
                               port: uplink, node: node, topicPrefix: topics.base, commands: commands)
        status = StatusPublisher(topics: topics, client: uplink, loop: loop, snapshot: { JSONValue.null })
        // Every heartbeat (30 s, and on any change) re-reads service health, so the LED
        // follows a failing service without a timer of its own.
        status.snapshotProvider = { [self] in
            self.updateLED()
            return self.stateSnapshot()
        }
        services.onStateChange = { [self] in
            self.updateLED()
            self.status.changed()
        }
        services.onRestartRequest = { [self] reason in self.shutdown(reason: reason, restart: true) }
        services.stateProvider = { [self] in self.stateSnapshot() }
        // `save`, `reload` and SIGHUP all end in a changed store: the services whose keys
        // changed restart, and the log follows its keys.
        store.onChange = { [self] in
            if self.mode == .safe || !self.problems.isEmpty {
                // Fixed settings get a fresh, normal start: that is the way out of safe mode
                // and of a degraded start alike.
                self.shutdown(reason: "settings changed while " + (self.mode == .safe ? "in safe mode" : "degraded"),
                              restart: true)
                return
            }
            Gateway.applyLogSettings(self.store, levelOverride: self.logLevelOverride,
                                     formatOverride: self.logFormatOverride)
            self.applyUplinkSettings()
            self.nodeNameChanged()
            self.applyRPCSettings()
            self.commandTopics?.allowsPrivileged = self.store.boolean(StandardKeys.commandsAllowPrivileged)
            self.services.settingsChanged()
        }
        GatewayCommands.register(self, into: commands)
        ConfigCommands.register(in: commands, store: store)
        FactoryResetCommand.register(in: commands, store: store, clock: loop.clock) { [self] in
            self.shutdown(reason: "factory reset", restart: true)
        }
        HelpCommand.register(in: commands)
        commandTopics = CommandTopicBridge(port: uplink, registry: commands, topics: topics, loop: loop,
                                           allowsPrivileged: store.boolean(StandardKeys.commandsAllowPrivileged))
        // Safe mode keeps the doors a person fixes things through: the console and MQTT.
        if mode == .normal { rpc = Gateway.makeRPCServer(store: store, registry: commands, loop: loop, log: log) }
        let device = store.string(StandardKeys.consoleDevice)
        if device != "none" && !device.isEmpty {
            console = ConsoleTerminal(registry: commands, loop: loop, device: device,
                                      baud: store.integer(StandardKeys.consoleBaud), prompt: node + "> ")
        }
    }

    /// Runs until a shutdown signal; returns after the graceful stop.
    func run() throws(GatewayError) {
        loop.handleSignals(signals) { [self] signal in self.handle(signal) }
        log.info("switchyard \(Version.string) (\(Version.architecture)) starting: node \(node), board \(board), "
            + "data \(store.dataDirectory)")
        if let lastCrash { log.warning("the last run ended: " + lastCrash) }
        for problem in problems { log.error("setting " + problem.text) }
        if let uplinkFallback { log.warning("uplink: " + uplinkFallback) }
        if mode == .safe {
            log.warning("SAFE MODE after repeated crashes: only the console, the uplink and OTA run; save fixed "
                + "settings (or wait \(GatewayMode.safeTimeoutSeconds / 60) min) to start normally")
            safeModeTimer = loop.after(.seconds(Int64(GatewayMode.safeTimeoutSeconds))) { [self] in
                self.shutdown(reason: "safe mode timed out", restart: true)
            }
        }
        led.show(.booting)
        led.onChange = { [self] _ in self.status.changed() }
        uplink.onStateChange = { [self] _ in
            self.updateLED()
            self.status.changed()
        }
        services.startAll()
        updateLED()
        startDoors()
        status.start()
        if uplinkUsable { uplink.start() } else { log.error("uplink not started: no usable broker settings") }
        supervisor.startHeartbeat(on: loop)
        do throws(RuntimeError) { try loop.run() } catch { throw .runtime(error) }
        console?.stop()
        rpc?.stop()
        log.info("stopped")
        if restartAfterStop && mode == .safe { ProcessRestart.arguments.removeAll { $0 == GatewayMode.safeOption } }
        if restartAfterStop && supervisor.isSupervised {
            // The supervisor starts whatever slot is active now (a new one after an update).
            log.info("exiting for the supervisor to start the active slot")
            exitStatus = SupervisorLink.restartStatus
        } else if restartAfterStop {
            let failure = ProcessRestart.exec()
            log.error("restart failed: \(failure.description); exiting for the supervisor to restart us")
            exitStatus = 75
        }
    }

    /// The LED shows the highest attention any service reports (`Gateway.pattern(for:)`),
    /// else the broker connection. Also where a supervised gateway first reports healthy
    /// (connected, nothing failed), which commits a firmware on trial.
    private func updateLED() {
        let attention = services.highestAttention.attention
        let degraded = !problems.isEmpty || mode == .safe
        if attention < .fault && uplink.isConnected && !degraded { supervisor.reportHealthy() }
        // Once per connection's settings, not at every heartbeat.
        if uplink.isConnected && uplinkFallback == nil && mode == .normal && rememberedUplink != uplink.settings
            && connectedWithSavedSettings() {
            lastGoodUplink.remember()
            rememberedUplink = uplink.settings
        }
        if degraded {
            led.show(.fault)
            return
        }
        led.show(Gateway.pattern(for: attention) ?? (uplink.isConnected ? .connected : .noBroker))
    }

    /// Whether the connection in force was made with the settings now saved: only those are
    /// worth keeping as the last good ones (a save just made may not have reconnected yet).
    private func connectedWithSavedSettings() -> Bool {
        do throws(UplinkError) {
            var settings = try MQTTSettings.local(from: store, node: node)
            settings.will = uplink.settings.will
            return settings == uplink.settings
        } catch {
            return false
        }
    }

    /// The one table from what the services need to what the LED shows; nil leaves the LED
    /// to the broker connection. A new kind of attention is one line here, not a service's branch.
    static func pattern(for attention: Attention) -> LEDPattern? {
        switch attention {
        case .fault: return .fault
        case .updating: return .ota
        case .needsPerson: return .authorisationNeeded
        case .notConnected: return .noBroker
        case .none: return nil
        }
    }

    /// A changed `mqtt.*` reconnects the same client with the new settings (services keep
    /// their port and subscriptions, the outbox carries over); settings that cannot work are
    /// logged and the current connection stays.
    private func applyUplinkSettings() {
        do throws(UplinkError) {
            var settings = try MQTTSettings.local(from: store, node: node)
            settings.will = uplink.settings.will
            guard settings != uplink.settings else { return }
            status.publishLeaving()
            try uplink.apply(settings)
        } catch {
            log.error("mqtt settings not applied, the current connection stays: " + error.description)
        }
    }

    /// A changed `rpc.*` closes the RPC door and opens it again as configured.
    private func applyRPCSettings() {
        let wanted = RPCDoorSettings(store)
        guard wanted != rpcSettings else { return }
        rpcSettings = wanted
        rpc?.stop()
        rpc = Gateway.makeRPCServer(store: store, registry: commands, loop: loop, log: log)
        do throws(ConsoleError) { try rpc?.start() } catch {
            log.error("JSON-RPC disabled: \(error.description) (set rpc.port to a free port)")
            rpc = nil
        }
    }

    /// What the RPC door was opened with, to tell whether a settings change concerns it.
    struct RPCDoorSettings: Equatable {
        let bind: String
        let port: Int
        let allowLocal: Bool
        let allowUID: Int
        init(_ store: ConfigStore) {
            bind = store.string(StandardKeys.rpcBind)
            port = store.integer(StandardKeys.rpcPort)
            allowLocal = store.boolean(StandardKeys.rpcAllowLocal)
            allowUID = store.integer(StandardKeys.rpcAllowUID)
        }
    }

    /// The RPC door, closed by the token. On loopback, `rpc.allow_local` lets in without it
    /// the local users who could read the token anyway (root and the gateway's own user),
    /// plus `rpc.allow_uid`; every other account, and any web page a browser is made to
    /// send there, still needs the token. Nil (logged) when no token can be made: an open
    /// door is never the fallback.
    static func makeRPCServer(store: ConfigStore, registry: CommandRegistry, loop: EventLoop, log: Logger) -> RPCServer? {
        let bind = store.string(StandardKeys.rpcBind)
        let loopback = RPCToken.isLoopback(bind)
        let token: String
        do throws(ConsoleError) { token = try RPCToken.loadOrCreate(in: store.dataDirectory) } catch {
            log.error("JSON-RPC disabled: " + error.description)
            return nil
        }
        var trusted: [UInt32] = []
        if store.boolean(StandardKeys.rpcAllowLocal) {
            if loopback {
                trusted = [0]
                if geteuid() != 0 { trusted.append(UInt32(geteuid())) }
                let extra = store.integer(StandardKeys.rpcAllowUID)
                if extra >= 0 && !trusted.contains(UInt32(extra)) { trusted.append(UInt32(extra)) }
                log.info("JSON-RPC takes local clients of uid " + trusted.map { String($0) }.joined(separator: ", ")
                         + " without a token (rpc.allow_local); other local users need the token")
            } else {
                log.warning("rpc.allow_local is ignored: rpc.bind " + bind + " is not a loopback address")
            }
        }
        if !loopback {
            log.warning("JSON-RPC listens on " + bind + ", reachable from the network: clients must authenticate "
                        + "with the token in " + RPCToken.path(in: store.dataDirectory))
        }
        return RPCServer(registry: registry, loop: loop, bind: bind, port: store.integer(StandardKeys.rpcPort),
                         token: token, trustedUsers: trusted)
    }

    /// The command doors. Each one failing is logged and the rest run on: a busy RPC port
    /// must not keep the gateway off the air.
    private func startDoors() {
        commandTopics?.start()
        do throws(ConsoleError) { try rpc?.start() } catch {
            log.error("JSON-RPC disabled: \(error.description) (set rpc.port to a free port)")
            rpc = nil
        }
        do throws(ConsoleError) { try console?.start() } catch {
            log.error("console disabled: \(error.description) (check console.device)")
            console = nil
        }
    }

    private func handle(_ signal: Int32) {
        switch signal {
        case SIGHUP:
            log.info("SIGHUP: reloading settings")
            store.reload()
        default:
            shutdown(reason: SignalEvents.name(of: signal))
        }
    }

    /// Stops services, flushes the uplink (with `offline` as its last word), then the loop.
    func shutdown(reason: String, restart: Bool = false) {
        guard !shuttingDown else { return }
        shuttingDown = true
        restartAfterStop = restart
        log.info("\(reason): shutting down")
        services.stopAll()
        // Requests still in flight would call back into stopped services while the uplink
        // drains; cancel them.
        services.http.close()
        commandTopics?.stop()
        status.publishOffline()
        uplink.stop { [self] in self.loop.stop() }
    }

    /// The `state` heartbeat's content.
    func stateSnapshot() -> JSONValue {
        var state = JSONObject()
        state["version"] = .string(Version.string)
        state["arch"] = .string(Version.architecture)
        state["node"] = .string(node)
        state["board"] = .string(board)
        state["uptime_s"] = .int((loop.clock.now() - started).nanoseconds / 1_000_000_000)
        state["led"] = .string(led.pattern.name)
        if mode == .safe { state["safe_mode"] = .bool(true) }
        if !problems.isEmpty {
            state["problems"] = .array(problems.map { .object(["key": .string($0.key), "reason": .string($0.reason)]) })
        }
        if let uplinkFallback { state["uplink_fallback"] = .string(uplinkFallback) }
        if let lastCrash { state["last_crash"] = .string(lastCrash) }
        var tasks: [JSONValue] = []
        for task in loop.tasks {
            tasks.append([
                "name": .string(task.name), "runs": .int(task.stats.runs), "overruns": .int(task.stats.overruns),
                "last_ms": .int(task.stats.lastDuration.milliseconds), "max_ms": .int(task.stats.maxDuration.milliseconds),
            ])
        }
        state["tasks"] = .array(tasks)
        state["uplink"] = uplinkSnapshot()
        state["services"] = services.stateJSON()
        // Commands and key changes refused to the MQTT door (see CommandRemoteAccess).
        state["commands_refused"] = .int(commands.refusals)
        return .object(state)
    }

    /// The uplink's part of `state` and `mqtt status` (no credentials in it).
    func uplinkSnapshot() -> JSONValue {
        let stats = uplink.stats
        var block: JSONObject = [
            "state": .string(uplink.state.name), "broker": .string(uplink.settings.endpoint),
            "client_id": .string(uplink.settings.clientID),
            "connects": .int(stats.connects), "disconnects": .int(stats.disconnects),
            "connect_failures": .int(stats.connectFailures),
            "published": .int(stats.published), "acknowledged": .int(stats.acknowledged),
            "received": .int(stats.received), "inflight": .int(uplink.inflightCount),
            "outbox": .int(uplink.outbox.count), "outbox_bytes": .int(uplink.outbox.bytes),
            "outbox_dropped": .int(uplink.outbox.dropped), "dropped_qos0": .int(stats.droppedQoS0),
            "refused_subscriptions": .int(stats.refusedSubscriptions),
        ]
        if !uplink.lastError.isEmpty { block["last_error"] = .string(uplink.lastError) }
        // Connected but deaf to a refused filter (the command topic): degraded, saying which.
        block["health"] = .string(uplink.subscriptionProblem.map { "degraded: " + $0 } ?? "ok")
        return .object(block)
    }

    static func applyLogSettings(_ store: ConfigStore, levelOverride: LogLevel?, formatOverride: LogFormat?) {
        LogSettings.level = levelOverride ?? store.value(StandardKeys.logLevel)
        LogSettings.format = formatOverride ?? store.value(StandardKeys.logFormat)
    }
}
