import Runtime
import SerialPort

/// One Benchlab on one serial port, driven entirely by the run loop: open, drain the welcome,
/// confirm (vendor data, welcome), read the UID, then poll at a fixed rate. Every wait is a
/// timer and every read is a readiness callback, so nothing blocks; a failure of any kind
/// closes the port and retries after a backoff (1 s doubling to 30 s), while the other
/// devices carry on.
public final class BenchlabDevice {
    /// Where the device is in its life.
    public enum State: Equatable {
        /// Closed, retrying after a backoff.
        case waiting
        /// Port open, identification running.
        case identifying
        /// Identified and polled.
        case polling
        /// A discovered port that answered, but not as a Benchlab: left alone until unplugged.
        case rejected
        /// Stopped by the service.
        case stopped

        public var name: String {
            switch self {
            case .waiting: return "waiting"
            case .identifying: return "identifying"
            case .polling: return "polling"
            case .rejected: return "rejected"
            case .stopped: return "stopped"
            }
        }
    }

    /// The path as configured or discovered (also the `com_port` of `info`).
    public let path: String
    /// From `benchlab.ports` (retried forever) rather than found by USB ID.
    public let isExplicit: Bool
    public private(set) var state: State = .waiting {
        didSet { if state != oldValue { onStateChange?() } }
    }
    /// Called when `state` changes (the service's health follows the devices').
    public var onStateChange: (() -> Void)?
    /// Set once identified; kept while waiting to reopen, so `benchlab list` can name it.
    public private(set) var identity: BenchlabIdentity?
    public internal(set) var stats = BenchlabStats()
    /// The last sensor frame decoded (readings and metrics show it); nil until one arrives.
    public internal(set) var lastFrame: BenchlabSensorFrame?
    /// The device node behind `path` while the port is open.
    public var devicePath: String? { port?.devicePath }

    /// Called after every successful identification (each (re)open): publish `info`.
    var onIdentified: ((BenchlabDevice) -> Void)?
    /// Called with every good sensor frame: publish `telemetry`.
    var onFrame: ((BenchlabDevice, BenchlabSensorFrame) -> Void)?

    let loop: EventLoop
    let settings: BenchlabSettings
    let log = Logger("benchlab")
    var port: SerialPort?
    var watch: IOWatch?
    var replyTimer: OneShotTimer?
    var retryTimer: OneShotTimer?
    var pollTask: FixedRateTask?
    var backoff: ReconnectBackoff
    /// What the bytes arriving now belong to.
    var phase: Phase = .closed
    var received: [UInt8] = []
    /// Reused for every read, so polling does not allocate per read.
    var scratch = [UInt8](repeating: 0, count: 512)
    /// The vendor data read during identification.
    var vendor: BenchlabVendorData?
    private var lastLoggedError = ""

    /// A device on `path`, not opened until `start()`.
    public init(path: String, isExplicit: Bool, loop: EventLoop, settings: BenchlabSettings) {
        self.path = path
        self.isExplicit = isExplicit
        self.loop = loop
        self.settings = settings
        backoff = ReconnectBackoff(initial: settings.retryInitial, maximum: settings.retryMaximum)
    }

    /// Opens the port and starts identifying (or retrying).
    public func start() {
        guard state != .stopped else { return }
        open()
    }

    /// Closes the port and cancels every timer; the device is done.
    public func stop() {
        closePort()
        retryTimer?.cancel()
        retryTimer = nil
        state = .stopped
        // The hooks capture the service: dropping them breaks the reference cycle.
        onIdentified = nil
        onFrame = nil
    }

    // MARK: opening and failing

    func open() {
        retryTimer = nil
        state = .identifying
        do throws(SerialPortError) {
            let port = try SerialPort(path: path)
            self.port = port
            try port.configure(baud: settings.baudRate)
            try port.setDTR(true)
            // Firmware that pushes a welcome does so when RTS rises (see `BenchlabModel`).
            try port.setRTS(true)
        } catch {
            fail(.port(error))
            return
        }
        guard let port else { return }
        watch = loop.watch(port.fileDescriptor) { [self] events in self.handle(events) }
        beginDrain()
    }

    /// Logs and counts `error`, closes the port and schedules a retry (or gives up on a
    /// discovered port that is not a Benchlab).
    func fail(_ error: BenchlabError) {
        let wasPolling = state == .polling
        count(error, wasPolling: wasPolling)
        stats.lastError = error.description
        let text = path + (identity.map { " (" + $0.uid + ")" } ?? "") + ": " + error.description
        // A device that stays away would log the same line every 30 s: say it once.
        if error.description != lastLoggedError || wasPolling {
            log.error(text)
        } else {
            log.debug(text)
        }
        lastLoggedError = error.description
        closePort()
        if case .notABenchlab = error, !isExplicit {
            state = .rejected
            return
        }
        state = .waiting
        let delay = backoff.nextDelay()
        log.debug(path + ": retrying in " + delay.millisecondsText + " ms")
        retryTimer = loop.after(delay) { [self] in self.open() }
    }

    private func count(_ error: BenchlabError, wasPolling: Bool) {
        if !wasPolling { stats.openFailures += 1 }
        switch error {
        case .timeout: stats.timeouts += 1
        case .shortReply: stats.shortReplies += 1
        case .overlongReply, .malformedFrame: stats.malformedFrames += 1
        case .port(.disconnected): stats.disconnects += 1
        case .port, .notABenchlab, .invalidSetting: break
        }
    }

    /// Releases the port and everything waiting on it.
    func closePort() {
        watch?.cancel()
        watch = nil
        replyTimer?.cancel()
        replyTimer = nil
        pollTask?.cancel()
        pollTask = nil
        port?.close()
        port = nil
        phase = .closed
        received.removeAll(keepingCapacity: true)
    }

    // MARK: identified and polling

    func identified(_ identity: BenchlabIdentity) {
        self.identity = identity
        state = .polling
        stats.opens += 1
        lastLoggedError = ""
        log.info(path + ": Benchlab " + identity.model.name + " fw " + String(identity.firmware) + " UID "
                 + identity.uid + " via " + (port?.driverName ?? "?"))
        onIdentified?(self)
        // The hook may have stopped the device (a service shutting down): poll only if not.
        guard state == .polling else { return }
        pollTask = loop.addTask("benchlab " + identity.uid, every: settings.pollInterval, firstDelay: .zero) {
            [self] in self.poll()
        }
    }

    func poll() {
        guard state == .polling, let identity else { return }
        if case .awaiting = phase {
            stats.skippedPolls += 1
            return
        }
        stats.polls += 1
        send(.sensors(expected: identity.model.sensorFrameLength(firmware: identity.firmware)))
    }

    func sensorsArrived(_ bytes: [UInt8]) {
        guard let identity else { return }
        let frame: BenchlabSensorFrame
        do throws(BenchlabError) {
            frame = try BenchlabSensorFrame.decode(bytes, model: identity.model, firmware: identity.firmware)
        } catch {
            fail(error)
            return
        }
        backoff.reset()
        lastFrame = frame
        onFrame?(self, frame)
    }
}
