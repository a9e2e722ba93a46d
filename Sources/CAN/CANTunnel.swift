import JSON
import Runtime
import ServiceKit

/// The tunnel between one CAN bus and MQTT, on the run loop.
///
/// Bus -> MQTT: the reader thread fills the ring and wakes the loop; the loop drains it in
/// batches, filters, suppresses repeats if asked, and publishes each frame (QoS 0, as the
/// seed tool and SavvyCAN do) to `CANTopics.publishTopic(for:)`. MQTT -> bus: messages on
/// `CANTopics.subscription` are decoded and written to the bus from the loop.
///
/// Bad input in either direction is dropped, counted per kind and logged rate-limited; a
/// bus that closes (adapter unplugged) is reopened with backoff, so neither direction dies
/// silently.
public final class CANTunnel {
    public let settings: CANTunnelSettings
    public let bus: CANBus
    /// Frames and drops in both directions, since start.
    public private(set) var stats = CANStats()
    /// The last frames heard, per id (the dashboard's readings).
    public private(set) var recentFrames = CANRecentFrames()
    /// Whether the bus is open, closed, or failed and waiting to reopen.
    public private(set) var state: CANBusState = .closed
    /// Called when `state` or the bus's `problem` changes (the service's health follows).
    public var onStateChange: (() -> Void)?

    private let port: MessagePort
    private let loop: EventLoop
    private let reader: CANReaderThread
    private let log = Logger("can")
    private let drops: CANDropReporter
    private var suppressor: ChangeSuppressor
    private var running = false
    private var subscription: PortToken?
    private var wake: WakeSource?
    private let notices: LogLimiter
    private var everOpened = false
    private var writeWatch: IOWatch?
    private var flushTimer: OneShotTimer?
    private var reopenTimer: OneShotTimer?
    private var drainTimer: OneShotTimer?
    private var backoff: ReconnectBackoff

    /// A tunnel between `bus` and MQTT through `port` on `loop`; nothing opens until `start()`.
    public init(settings: CANTunnelSettings, bus: CANBus, port: MessagePort, loop: EventLoop) throws(CANError) {
        if let problem = settings.problem { throw .invalidSettings(problem) }
        self.settings = settings
        self.bus = bus
        self.port = port
        self.loop = loop
        reader = try CANReaderThread(capacity: settings.ringCapacity)
        drops = CANDropReporter(log: log, clock: loop.clock)
        suppressor = ChangeSuppressor(capacity: settings.changeTableCapacity)
        backoff = ReconnectBackoff(initial: settings.reopenDelay, maximum: settings.maxReopenDelay, jitter: false)
        notices = LogLimiter(log: log, clock: loop.clock)
        bus.attach(to: loop) { [self] in self.onStateChange?() }
    }

    /// The reader's ring (depth and drops for the state block and benchmarks).
    public var ring: SPSCRing<CANBusEvent> { reader.ring }

    // MARK: lifecycle

    /// Subscribes and opens the bus. A bus that cannot open is retried with backoff;
    /// `state` says whether the first attempt worked.
    public func start() throws(CANError) {
        guard !running else { return }
        do throws(RuntimeError) {
            wake = try loop.wakeSource { [self] in self.wakeUp() }
        } catch {
            throw .runtime(error)
        }
        running = true
        subscription = port.subscribe(settings.topics.subscription, qos: 0) { [self] message in self.handle(message) }
        openBus()
    }

    /// Stops reading and writing, closes the bus, unsubscribes and drops its wake source:
    /// afterwards nothing of the tunnel runs.
    public func stop() {
        guard running else { return }
        running = false
        reopenTimer?.cancel()
        drainTimer?.cancel()
        closeBus()
        if let subscription { port.unsubscribe(subscription) }
        subscription = nil
        wake?.cancel()
        wake = nil
        setState(.closed)
    }

    /// Closes and reopens the bus now, or restarts its controller (`can restart`).
    public func restart() throws(CANError) {
        guard running else { throw .notOpen }
        let impaired = bus.problem
        if state == .open { closeBus() }
        if let impaired {
            log.info("restarting " + bus.name + ": " + impaired)
            // Reopening is still worth trying when the controller refuses a restart.
            do throws(CANError) { try bus.restart() } catch { log.warning(error.description) }
        }
        reopenTimer?.cancel()
        backoff.reset()
        openBus()
    }

    private func openBus() {
        guard running, let wake else { return }
        do throws(CANError) {
            try bus.open()
            try reader.start(bus: bus, wakeup: wake, batchWindow: settings.batchWindow)
        } catch {
            bus.close()
            busFailed(error.description)
            return
        }
        if everOpened { stats.reopens += 1 }
        everOpened = true
        backoff.reset()
        suppressor.reset()
        writeWatch = loop.watch(bus.descriptor, interest: .none) { [self] _ in self.flush() }
        log.info("opened " + bus.name + " as the " + settings.topics.mode.name + " side: publishing "
                 + String(settings.topics.publishTopic(for: 0).dropLast()) + "<id>, subscribed to " + settings.topics.subscription)
        setState(.open)
    }

    private func closeBus() {
        reader.stop()
        writeWatch?.cancel()
        writeWatch = nil
        flushTimer?.cancel()
        flushTimer = nil
        // Frames already read are still worth publishing.
        drain(limit: .max)
        bus.close()
    }

    private func busFailed(_ reason: String) {
        let reopenDelay = backoff.nextDelay()
        if state != .failed(reason) {
            let delay = reopenDelay.milliseconds >= 1000 ? String(reopenDelay.milliseconds / 1000) + " s"
                                                      : reopenDelay.millisecondsText + " ms"
            log.error(bus.name + ": " + reason + "; retrying in " + delay)
        }
        setState(.failed(reason))
        reopenTimer = loop.after(reopenDelay) { [self] in self.openBus() }
    }

    private func setState(_ new: CANBusState) {
        guard new != state else { return }
        state = new
        onStateChange?()
    }

    // MARK: bus -> MQTT

    private func wakeUp() {
        guard running else { return }
        drain(limit: settings.batchSize)
        if state == .open, let reason = reader.closeReason {
            closeBus()
            busFailed(reason)
        }
    }

    /// Handles up to `limit` ring events; if more wait, comes back after the loop's other work.
    private func drain(limit: Int) {
        let handled = reader.ring.drain(limit: limit) { event in self.handle(event) }
        if handled == limit && running && drainTimer == nil {
            drainTimer = loop.after(.zero) { [self] in
                self.drainTimer = nil
                self.wakeUp()
            }
        }
    }

    /// One event from the bus (public for tests and benchmarks driving the tunnel directly).
    public func handle(_ event: CANBusEvent) {
        switch event {
        case .frame(let frame):
            stats.framesFromBus += 1
            recentFrames.record(frame)
            guard settings.filter.accepts(frame.id) else {
                stats.filtered += 1
                return
            }
            if settings.onlyChanges && !suppressor.isChanged(frame) {
                stats.unchanged += 1
                return
            }
            let outcome = port.publish(settings.topics.publishTopic(for: frame.id), CANPayloadCodec.encode(frame),
                                       qos: settings.qos, retain: false)
            if case .dropped = outcome { stats.publishFailed += 1 } else { stats.published += 1 }
        case .malformed(let malformation):
            stats.count(malformation)
            drops.report(malformation, context: "from " + bus.name)
        case .busError(let text):
            stats.busErrors += 1
            notice("bus-error", bus.name + ": " + text)
        case .refused(let text):
            stats.adapterErrors += 1
            notice("refused", bus.name + ": " + text)
        case .busReplies:
            // What the replies mean is the bus's business; it reports back what to count.
            bus.handleReplies { event in self.handle(event) }
        }
    }

    /// Logs `text` at most once a minute per `key`.
    private func notice(_ key: String, _ text: String) {
        notices.warning(key, text)
    }

    // MARK: MQTT -> bus

    /// One message from the subscription (public for tests and benchmarks).
    public func handle(_ message: MQTTMessage) {
        guard running else { return }
        stats.messagesFromMQTT += 1
        let id: UInt32
        switch CANTopics.id(fromTopic: message.topic) {
        case .id(let value): id = value
        case .invalid(let malformation):
            reject(malformation, topic: message.topic)
            return
        }
        var frame: CANFrame
        switch CANPayloadCodec.decode(message.payload, id: id) {
        case .frame(let decoded): frame = decoded
        case .malformed(let malformation):
            reject(malformation, topic: message.topic)
            return
        }
        frame.bitRateSwitch = frame.isFD && settings.fdBitRateSwitch
        transmit(frame)
    }

    /// Writes `frame` to the bus (from MQTT or the console's `can send`).
    public func transmit(_ frame: CANFrame) {
        guard !settings.listenOnly, state == .open else {
            stats.transmitDropped += 1
            notice("not-sent", settings.listenOnly ? "listen-only: frames from MQTT are not written to " + bus.name
                                                   : bus.name + " is not open: frames from MQTT are dropped")
            return
        }
        if frame.isFD && !bus.supportsFD {
            stats.transmitDropped += 1
            notice("no-fd", bus.name + " cannot send CAN FD frames: dropped")
            return
        }
        do throws(CANError) {
            switch try bus.transmit(frame) {
            case .accepted: stats.framesToBus += 1
            case .full:
                stats.transmitDropped += 1
                notice("tx-full", bus.name + ": transmit queue full, frames dropped")
            }
        } catch {
            stats.transmitDropped += 1
            closeBus()
            busFailed(error.description)
            return
        }
        updateWriteInterest()
    }

    private func reject(_ malformation: CANMalformation, topic: String) {
        stats.count(malformation)
        drops.report(malformation, context: "message on " + topic)
    }

    private func flush() {
        do throws(CANError) { try bus.flushOutput() } catch {
            closeBus()
            busFailed(error.description)
            return
        }
        updateWriteInterest()
    }

    private func updateWriteInterest() {
        let pending = bus.hasPendingOutput
        writeWatch?.interest = pending ? .write : .none
        // A full SocketCAN queue (ENOBUFS) does not raise POLLOUT: retry on a short timer too.
        if pending && flushTimer == nil {
            flushTimer = loop.after(.milliseconds(5)) { [self] in
                self.flushTimer = nil
                self.flush()
            }
        }
    }
}
