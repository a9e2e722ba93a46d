import CSupport
import JSON
import Runtime
import Store
import Uplink

/// The composition root: reads the settings, builds the run loop, the uplink and the
/// services, and shuts them down in order. It holds no protocol logic of its own.
final class Gateway {
    let store: ConfigStore
    let loop: EventLoop
    let node: String
    let uplink: MQTTClient
    let status: StatusPublisher
    private let signals: SignalEvents
    private let log = Logger("switchyard")
    private let started: Instant
    private(set) var exitStatus: Int32 = 0
    private var shuttingDown = false

    init(store: ConfigStore, signals: SignalEvents, logLevelOverride: LogLevel?, logFormatOverride: LogFormat?)
        throws(GatewayError)
    {
        self.store = store
        self.signals = signals
        Gateway.applyLogSettings(store, levelOverride: logLevelOverride, formatOverride: logFormatOverride)
        do throws(RuntimeError) { loop = try EventLoop() } catch { throw .runtime(error) }
        started = loop.clock.now()
        node = store.string(StandardKeys.nodeName)
        let topics = StatusTopics(node: node)
        var settings: MQTTSettings
        do throws(UplinkError) {
            settings = try MQTTSettings.local(from: store, node: node)
            settings.will = StatusPublisher.will(for: topics)
            uplink = try MQTTClient(name: "uplink", settings: settings, loop: loop)
        } catch { throw .uplink(error) }
        status = StatusPublisher(topics: topics, client: uplink, loop: loop, snapshot: { JSONValue.null })
        statusSnapshotInstall()
    }

    /// Runs until a shutdown signal; returns after the graceful stop.
    func run() throws(GatewayError) {
        loop.handleSignals(signals) { [self] signal in self.handle(signal) }
        log.info("switchyard \(Version.string) (\(Version.architecture)) starting: node \(node), data \(store.dataDirectory)")
        uplink.onStateChange = { [self] _ in self.status.changed() }
        status.start()
        uplink.start()
        do throws(RuntimeError) { try loop.run() } catch { throw .runtime(error) }
        log.info("stopped")
    }

    private func handle(_ signal: Int32) {
        switch signal {
        case SIGHUP:
            log.info("SIGHUP: reloading settings")
            store.reload()
            Gateway.applyLogSettings(store, levelOverride: nil, formatOverride: nil)
        default:
            shutdown(reason: SignalEvents.name(of: signal))
        }
    }

    /// Stops services, flushes the uplink (with `offline` as its last word), then the loop.
    func shutdown(reason: String) {
        guard !shuttingDown else { return }
        shuttingDown = true
        log.info("\(reason): shutting down")
        status.publishOffline()
        uplink.stop { [self] in self.loop.stop() }
    }

    private func statusSnapshotInstall() {
        // Built lazily on every heartbeat so it always shows the current numbers.
        status.snapshotProvider = { [self] in self.stateSnapshot() }
    }

    /// The `state` heartbeat's content.
    func stateSnapshot() -> JSONValue {
        var state = JSONObject()
        state["version"] = .string(Version.string)
        state["arch"] = .string(Version.architecture)
        state["node"] = .string(node)
        state["uptime_s"] = .int((loop.clock.now() - started).nanoseconds / 1_000_000_000)
        var tasks: [JSONValue] = []
        for task in loop.tasks {
            tasks.append([
                "name": .string(task.name), "runs": .int(task.stats.runs), "overruns": .int(task.stats.overruns),
                "max_ms": .int(task.stats.maxDuration.milliseconds),
            ])
        }
        state["tasks"] = .array(tasks)
        let stats = uplink.stats
        state["uplink"] = [
            "state": .string(uplink.state.name), "broker": .string(uplink.settings.endpoint),
            "connects": .int(stats.connects), "disconnects": .int(stats.disconnects),
            "published": .int(stats.published), "received": .int(stats.received),
            "outbox": .int(uplink.outbox.count), "outbox_dropped": .int(uplink.outbox.dropped),
            "dropped_qos0": .int(stats.droppedQoS0),
        ]
        return .object(state)
    }

    static func applyLogSettings(_ store: ConfigStore, levelOverride: LogLevel?, formatOverride: LogFormat?) {
        LogSettings.level = levelOverride ?? LogLevel(name: store.string(StandardKeys.logLevel)) ?? .info
        LogSettings.format = formatOverride ?? LogFormat(name: store.string(StandardKeys.logFormat)) ?? .plain
    }
}
