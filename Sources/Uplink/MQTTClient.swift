import Runtime
import Contracts
import Synchronization

/// One MQTT connection, driven entirely by the run loop: libmosquitto's socket is polled
/// like any other descriptor, with write interest only while it has bytes to send.
///
/// Connects in the background, reconnects with exponential backoff and jitter, resubscribes
/// after every reconnect, and keeps QoS 1/2 messages published while disconnected in a
/// bounded outbox that drains in order once connected. Each subscription hears the broker's
/// answer to it (its SUBACK) after every connect.
///
/// One concern per file: this one holds the state; `+Lifecycle` starts and stops,
/// `+Connection` supervises the connection, `+Subscriptions` keeps the subscription table,
/// `+Publishing` the outbox accounting, `+SettingsSwap` takes new settings, `+Spool` the
/// outbox on disk.
public final class MQTTClient: MessagePort, MosquittoSessionDelegate {
    public let name: String
    public internal(set) var settings: MQTTSettings
    public internal(set) var state: UplinkState = .idle
    public internal(set) var stats = UplinkStats()
    public internal(set) var outbox: OutboxQueue
    /// The last reason the connection failed, for `mqtt status` ("" when none).
    public internal(set) var lastError = ""
    // The connect failure last written to the log, so a repeat is not.
    var lastLoggedFailure = ""

    /// Called on every change of `state` (the LED and the state topic follow it).
    public var onStateChange: ((UplinkState) -> Void)?

    /// Asked on the loop before every connect and reconnect, for a cloud broker whose
    /// password is a short-lived token; replaces `settings.username`/`password` when set.
    /// nil means "nothing to connect with yet": the attempt fails and backs off (a service
    /// that knows it must fetch a token first calls `pause()` instead).
    public var credentialsProvider: (() -> MQTTCredentials?)?
    /// Called once per connect attempt with how it ended, before the retry is scheduled:
    /// the handler may call `pause()` (to fetch a token) or `retry(after:)` (a quota).
    public var onConnectResult: ((MQTTConnectResult) -> Void)?
    /// Called when an established connection ends, before the reconnect is scheduled.
    public var onDisconnect: ((MQTTDisconnectReason) -> Void)?
    /// How the last connect attempt ended (nil before the first).
    public internal(set) var lastConnectResult: MQTTConnectResult?
    /// The reconnect policy; replace it before `start()` for a broker with its own rules.
    public var backoff = ReconnectBackoff()
    /// Whether `pause()` holds the client off the broker.
    public internal(set) var isPaused = false
    /// Whether `close` let go of the owner's handlers: such a client never starts again.
    public internal(set) var isClosed = false

    // Internal, not private: the MQTTClient+<concern>.swift files beside this one use them.
    let loop: EventLoop
    var session: MosquittoSession
    // New settings and their session, waiting for the old connection to close (`apply`).
    var replacement: (settings: MQTTSettings, session: MosquittoSession)?
    let log: Logger
    var subscriptions: [Subscription] = []
    // SUBSCRIBEs sent on this connection whose SUBACK has not come: message id and filter.
    var pendingSubscribes: [(messageID: Int32, filter: String)] = []
    // Called after each successful connect, before the outbox drains: birth messages go here.
    var connectHandlers: [(token: PortToken, handler: () -> Void)] = []
    var nextToken = 0
    var connectWake: WakeSource?
    // Message ids of QoS 1/2 messages handed to libmosquitto and not yet acknowledged.
    // libmosquitto calls the publish callback for QoS 0 messages too (once written), so only
    // ids recorded here count as acknowledgements.
    var inflightIDs = Set<Int32>()
    var inflight: Int { inflightIDs.count }
    // QoS 0 messages handed over since libmosquitto's send queue was last empty.
    var qos0Backlog = 0
    var everConnected = false
    var socketWatch: IOWatch?
    var keepaliveTask: FixedRateTask?
    var reconnectTimer: OneShotTimer?
    var stopCompletion: (() -> Void)?
    var stopDeadline: OneShotTimer?
    // Set while we close the connection ourselves (pause, reconnect): not a loss to report.
    var closingOnPurpose = false
    // The delay `retry(after:)` asked for, used by the next scheduled reconnect.
    var delayOverride: Interval?
    // The refusal a CONNACK carried, reported when the connection then closes.
    var refusal: MQTTReasonCode?
    /// Whether "waiting for the clock" was logged for the current wait (ClockTrust).
    var waitingForClockLogged = false
    var attempt: ConnectAttempt?
    var connectThread: WorkerThread?
    // The paused flag `apply` found, restored once the new session takes over.
    var wasPausedBeforeApply = false
    // libmosquitto log lines received (tests: none per packet while connected).
    var mosquittoLogLines = 0

    // The outbox on disk while running: saved every `spoolInterval` when it changed, the
    // file removed once the outbox drained, so a kill loses at most one period's messages.
    var spoolTask: FixedRateTask?
    var outboxChanged = false
    var spoolOnDisk = false
    lazy var spoolProblems = LogLimiter(log: log, clock: loop.clock)

    public init(name: String, settings: MQTTSettings, loop: EventLoop) throws(UplinkError) {
        self.name = name
        self.settings = settings
        self.loop = loop
        log = Logger(name)
        outbox = OutboxQueue(maxMessages: settings.outboxMaxMessages, maxBytes: settings.outboxMaxBytes)
        // What the last run could not deliver goes out first, once connected.
        if let spoolPath = settings.spoolPath { _ = OutboxSpool.load(spoolPath, into: &outbox) }
        session = try MosquittoSession(settings: settings)
        session.delegate = self
    }

    public var isConnected: Bool { state == .connected }

    func setState(_ new: UplinkState) {
        guard new != state else { return }
        state = new
        onStateChange?(new)
        if new == .paused && replacement != nil {
            // The old connection is closed: connect the new session (after this callback).
            swapSession()
            isPaused = wasPausedBeforeApply
            wasPausedBeforeApply = false
            if !isPaused { loop.after(.zero) { [self] in if self.state == .paused { self.beginConnect() } } }
        }
    }
}
