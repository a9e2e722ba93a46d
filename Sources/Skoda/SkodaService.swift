import HTTPClient
import JSON
import Runtime
import ServiceKit
import Store
import Uplink

/// MySkoda push events: a second MQTT client (MQTT 5 over TLS to Skoda's broker, a fresh
/// access token and TOTP at every connect) whose messages are decoded and republished on the
/// local broker, with operation tracking and Home Assistant discovery. The access token comes
/// from the refresh endpoint through the gateway's HTTP client, 10 minutes before it expires.
public final class SkodaService: Service {
    public static var descriptor: ServiceDescriptor {
        ServiceDescriptor(
            name: "skoda", summary: "MySkoda push events (charging, access, operations) decoded and republished",
            enabled: SkodaConfigKeys.enabled, keys: SkodaConfigKeys.all,
            make: { context in SkodaService(context: context) })
    }

    /// Refresh when fewer than this many seconds are left on the access token.
    static let refreshMargin: Int64 = 600
    /// A wall clock that moved this much more than the monotonic one means we slept.
    static let clockJumpThreshold: Int64 = 60

    let context: ServiceContext
    let settings: SkodaSettings
    let tracker = SkodaOperationTracker()
    let publisher: SkodaPublisher
    let tokenFile: SkodaTokenFile
    let refresher: SkodaTokenRefresher
    var stats = SkodaStats()
    var cloud: CloudBrokerSession?
    var cloudStarted = false
    var accessToken: SkodaToken?
    var refreshToken: String
    var lastRefreshError: String?
    var refreshBackoff = ReconnectBackoff(initial: .seconds(5), maximum: .seconds(300))
    var retryTimer: OneShotTimer?
    var checkTask: FixedRateTask?
    var lastEvents: [(name: String, at: String)] = []
    var recentTraces = SkodaRecentTraces()
    /// Each car's last values, for the dashboard's readings (`SkodaService+Readings`).
    var latest = LatestValues()
    var lastWall: Int64 = 0
    var lastMono = Instant(nanoseconds: 0)
    let malformedLog: LogLimiter
    /// Seconds since the epoch; tests move it to simulate a suspend.
    var wallClock: () -> Int64 = { WallClock.millisecondsSinceEpoch() / 1000 }

    public init(context: ServiceContext) {
        self.context = context
        settings = SkodaSettings(store: context.store)
        publisher = SkodaPublisher(port: context.port, topicPrefix: context.topicPrefix,
                                   discovery: settings.discoveryPrefix.map { context.homeAssistant(prefix: $0) })
        tokenFile = SkodaTokenFile(dataDirectory: context.store.dataDirectory)
        refresher = SkodaTokenRefresher(http: context.http, url: settings.refreshURL)
        refreshToken = settings.refreshToken
        malformedLog = LogLimiter(log: context.log, clock: context.clock)
    }

    public func start() throws(ServiceError) {
        if let problem = settings.problem() {
            if case .setting(let key, let reason) = problem { throw .invalidSetting(key: key, reason: reason) }
            throw .failed(problem.description)
        }
        refreshToken = tokenFile.current(configured: settings.refreshToken)
        // 5 s for ten tries, then doubling with jitter to 120 s (what the app does); no
        // breaker, no waits of its own: the app knows none.
        let policy = CloudBrokerPolicy(backoff: ReconnectBackoff(initial: .seconds(5), maximum: .seconds(120), steadyAttempts: 10))
        let session: CloudBrokerSession
        do throws(UplinkError) {
            session = try CloudBrokerSession(name: "skoda-mqtt", settings: cloudSettings(), policy: policy,
                                             loop: context.loop, log: context.log)
        } catch {
            throw .failed("cannot make the Skoda MQTT client: " + error.description)
        }
        session.credentials = { [self] in self.credentials() }
        session.onNeedToken = { [self] reason in self.refresh(reason: reason) }
        session.onEvent = { [self] event in self.happened(event) }
        for filter in settings.filters {
            // QoS 0, as the app subscribes (the broker's push is at most once anyway).
            session.subscribe(filter, qos: 0) { [self] message in self.handle(message) }
        }
        cloud = session
        lastWall = wallClock()
        lastMono = context.clock.now()
        checkTask = context.loop.addTask("skoda.token", every: .seconds(30)) { [self] in self.checkToken() }
        context.report(.degraded("fetching an access token"))
        refresh(reason: "start")
    }

    public func stop() {
        checkTask?.cancel()
        checkTask = nil
        retryTimer?.cancel()
        retryTimer = nil
        refresher.cancel()
        // Close, not stop: the session's handlers capture this service, which a new instance
        // replaces at every restart.
        cloud?.close(grace: .zero)
        cloud = nil
        cloudStarted = false
    }

    func cloudSettings() -> MQTTSettings {
        var mqtt = MQTTSettings(host: settings.mqttHost, port: Int32(settings.mqttPort),
                                clientID: "switchyard-" + context.node + "-skoda")
        mqtt.protocolVersion = .v5
        mqtt.keepaliveSeconds = 60
        mqtt.cleanSession = true
        if settings.mqttTLS {
            mqtt.tls = settings.mqttCAFile.isEmpty
                ? MQTTTLSSettings(caDirectory: MQTTTLSSettings.systemCADirectory)
                : MQTTTLSSettings(caFile: settings.mqttCAFile)
        }
        return mqtt
    }

    // MARK: decoding

    func handle(_ message: MQTTMessage) {
        stats.messages += 1
        guard let topic = SkodaTopic(message.topic) else {
            malformed(message.topic, "topic is not user/vin/kind/...")
            return
        }
        let decoded: SkodaEventDecoder.Decoded
        do throws(SkodaEventDecoder.Malformed) {
            decoded = try SkodaEventDecoder.decode(topic: topic, payload: message.payload)
        } catch {
            malformed(message.topic, error.reason)
            return
        }
        switch decoded {
        case .operation(let update):
            stats.operations += 1
            let report = tracker.record(update, vin: topic.vin, now: context.clock.now())
            publisher.publish(report)
            noteEvent("operation/" + update.operation + " " + update.status)
        case .event(let event):
            // Events only: an operation's messages share one traceId from IN_PROGRESS to the end.
            if let trace = event.traceID, recentTraces.isRepeat(trace) {
                stats.duplicates += 1
                return
            }
            stats.events += 1
            if event.isKnown { publisher.publish(event, vin: topic.vin) }
            if event.isKnown { latest.record(event.values, for: topic.vin, at: wallClock()) }
            if !event.isKnown || event.hasUnknownFields {
                stats.raw += 1
                publisher.publishRaw(message.payload, name: event.name, vin: topic.vin)
            }
            noteEvent(event.name)
        }
    }

    private func malformed(_ topic: String, _ reason: String) {
        stats.malformed += 1
        _ = malformedLog.warning("malformed", "dropped a malformed message on " + topic + ": " + reason)
    }

    /// Remembers the last time each kind of event came (bounded by the kinds Skoda has).
    private func noteEvent(_ name: String) {
        let kind = name.split(separator: " ").first.map { String($0) } ?? name
        let at = WallClock.iso8601(millisecondsSinceEpoch: wallClock() * 1000)
        if let index = lastEvents.firstIndex(where: { $0.name.split(separator: " ").first.map { String($0) } == kind }) {
            lastEvents[index] = (name, at)
        } else if lastEvents.count < 64 {
            lastEvents.append((name, at))
        }
    }
}
