import Crypto
import Runtime

/// LE scanning over an `HCITransport`: sets the controller up, keeps one command in flight
/// with a timeout, turns advertising report events into `HCIAdvertisingReport`s, and
/// restarts the scan when a command fails or times out, or (through `windowElapsed`) when
/// adverts stop arriving: the watchdog against silent scan death.
///
/// On a kernel adapter the kernel shares the controller: it follows our raw-socket scan
/// enable and turns the scan off to connect (GATT, pairing), and after the connection it
/// leaves it off, since it has no scan of its own to restore. We see its LE Set Scan Enable
/// completions (commands we did not send) and restore the scan `kernelRestoreDelay` after
/// the kernel has gone quiet and no connection attempt of its is pending, instead of
/// losing adverts until the watchdog notices 15-20 s later.
///
/// Everything runs on the loop thread: the descriptor is watched, replies cancel a timer.
public final class HCIScanner {
    /// Where the scan is.
    public enum State: Equatable {
        case stopped
        /// Commands of the start sequence in flight.
        case configuring
        case scanning
        /// The last start failed; a retry is scheduled.
        case failed(String)

        public var name: String {
            switch self {
            case .stopped: return "stopped"
            case .configuring: return "configuring"
            case .scanning: return "scanning"
            case .failed: return "failed"
            }
        }
    }

    /// How to scan.
    public struct Settings: Equatable {
        /// Active scanning asks for scan responses (names); passive only listens.
        public var active: Bool
        /// Use the LE extended scan commands (Bluetooth 5 controllers; never mixed with legacy).
        public var extended: Bool
        /// How long a command may go unanswered.
        public var commandTimeout: Interval
        /// Silent windows after which the watchdog restarts the scan.
        public var watchdogWindows: Int
        /// Scan interval and window in 0.625 ms units (equal: listen all the time).
        public var interval: UInt16 = 0x0060
        public var window: UInt16 = 0x0060

        public init(active: Bool = false, extended: Bool = false, commandTimeout: Interval = .seconds(2),
                    watchdogWindows: Int = 3) {
            self.active = active
            self.extended = extended
            self.commandTimeout = commandTimeout
            self.watchdogWindows = watchdogWindows
        }
    }

    public private(set) var settings: Settings
    public private(set) var state: State = .stopped
    public private(set) var stats = HCIScannerStats()
    /// Called on the loop thread for every report; the slice in it is valid only then.
    public var onReport: (HCIAdvertisingReport) -> Void = { _ in }
    /// Called when the state changes (health follows it).
    public var onStateChange: (State) -> Void = { _ in }
    /// Called when the descriptor fails or hangs up: the owner reopens the transport.
    public var onTransportLost: (String) -> Void = { _ in }

    let transport: HCITransport
    private let loop: EventLoop
    private let log = Logger("ble")
    private var watch: IOWatch?
    private var queue: [HCICommand] = []
    private var inFlight: HCICommand?
    private var timer: OneShotTimer?
    private var retryTimer: OneShotTimer?
    /// Delivers an event the reassembler holds once the line has been quiet for a moment.
    private var quietTimer: OneShotTimer?
    private var backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(30))
    private var reassembler: H4Reassembler
    private var reportsThisWindow = 0
    private var silentWindows = 0
    private var started = false
    /// Someone else sent LE Set Scan Enable: the scan may be off. Cleared by a restore.
    private var scanTouchedByOthers = false
    /// The kernel's connection attempt is pending: restoring now would fight it.
    private var othersConnecting = false
    private var kernelRestoreTimer: OneShotTimer?
    /// The quiet time after the kernel's last scan or connection event before we restore the
    /// scan: long enough for its pause-connect-resume sequence, short against advert loss.
    public static let kernelRestoreDelay: Interval = .milliseconds(500)
    private var readBuffer = [UInt8](repeating: 0, count: 4096)

    public init(transport: HCITransport, loop: EventLoop, settings: Settings) {
        self.transport = transport
        self.loop = loop
        self.settings = settings
        reassembler = H4Reassembler(source: transport.readsWholePackets ? .packets : .stream)
    }

    // Closures it hands the loop hold it strongly (Embedded Swift has no weak or unowned):
    // `stop()` cancels them, which is what lets it go.
    deinit { stop() }

    /// Watches the transport and sends the start sequence.
    public func start() {
        guard !started, let fd = transport.fileDescriptor else { return }
        started = true
        watch = loop.watch(fd, interest: .read) { [self] events in self.handle(events) }
        sendStartSequence(initial: true)
    }

    /// Stops watching; the scan is disabled with a last command (not waited for).
    public func stop() {
        guard started else { return }
        started = false
        timer?.cancel()
        retryTimer?.cancel()
        quietTimer?.cancel()
        kernelRestoreTimer?.cancel()
        timer = nil
        retryTimer = nil
        quietTimer = nil
        kernelRestoreTimer = nil
        queue.removeAll()
        inFlight = nil
        let disable = settings.extended ? HCICommand.leSetExtendedScanEnable(false) : HCICommand.leSetScanEnable(false)
        do throws(BLEError) { try transport.send(disable.packet) } catch {}
        watch?.cancel()
        watch = nil
        setState(.stopped)
    }

    /// Switches between active and passive scanning (restarts the scan).
    public func setActive(_ active: Bool) {
        guard settings.active != active else { return }
        settings.active = active
        if started { restart("scan type changed to " + (active ? "active" : "passive")) }
    }

    /// Sends the start sequence again, whatever was in flight.
    public func restart(_ reason: String) {
        guard started else { return }
        log.info("restarting scan on " + transport.label + ": " + reason)
        stats.restarts += 1
        sendStartSequence(initial: false)
    }

    /// Called once per scan window by the service: the watchdog. Restarts a scan that has
    /// delivered no report for `watchdogWindows` windows in a row.
    public func windowElapsed() {
        defer { reportsThisWindow = 0 }
        guard state == .scanning else {
            silentWindows = 0
            return
        }
        if reportsThisWindow > 0 {
            silentWindows = 0
            return
        }
        silentWindows += 1
        if silentWindows >= settings.watchdogWindows {
            silentWindows = 0
            stats.watchdogResets += 1
            restart("no adverts for " + String(settings.watchdogWindows) + " scan windows (watchdog)")
        }
    }

    // MARK: commands

    private func sendStartSequence(initial: Bool) {
        timer?.cancel()
        retryTimer?.cancel()
        timer = nil
        retryTimer = nil
        inFlight = nil
        reportsThisWindow = 0
        silentWindows = 0
        // A restart for any reason restores the scan: nothing left for the kernel restore to do.
        kernelRestoreTimer?.cancel()
        kernelRestoreTimer = nil
        scanTouchedByOthers = false
        var sequence: [HCICommand] = []
        if transport.ownsController {
            sequence += [.reset, .setEventMask, .leSetEventMask]
        }
        if settings.extended {
            sequence += [.leSetExtendedScanEnable(false),
                         .leSetExtendedScanParameters(active: settings.active, interval: settings.interval,
                                                      window: settings.window),
                         .leSetExtendedScanEnable(true)]
        } else {
            sequence += [.leSetScanEnable(false),
                         .leSetScanParameters(active: settings.active, interval: settings.interval, window: settings.window),
                         .leSetScanEnable(true)]
        }
        queue = sequence
        setState(.configuring)
        sendNext()
    }

    private func sendNext() {
        guard inFlight == nil else { return }
        guard !queue.isEmpty else {
            backoff.reset()
            setState(.scanning)
            return
        }
        let command = queue.removeFirst()
        inFlight = command
        stats.commands += 1
        do throws(BLEError) {
            try transport.send(command.packet)
            watch?.interest = transport.hasPendingOutput ? [.read, .write] : .read
        } catch {
            transportLost(error.description)
            return
        }
        timer = loop.after(settings.commandTimeout) { [self] in
            self.timer = nil
            self.stats.commandTimeouts += 1
            self.fail("no reply to " + command.name + " within " + self.settings.commandTimeout.millisecondsText + " ms")
        }
    }

    /// A reply for `opcode` with `status`; false when it answers no command of ours.
    @discardableResult
    private func answered(_ opcode: UInt16, status: UInt8) -> Bool {
        guard let command = inFlight, command.opcode == opcode else { return false }
        timer?.cancel()
        timer = nil
        inFlight = nil
        let isDisable = command.parameters.first == 0
            && (opcode == HCICommand.leSetScanEnableOpcode || opcode == HCICommand.leSetExtendedScanEnableOpcode)
        // Disabling a scan that is not running answers Command Disallowed (0x0C): fine.
        if status != 0 && !(isDisable && status == 0x0C) {
            stats.commandFailures += 1
            fail(command.name + " failed with status 0x" + Hex.encode([status]))
            return true
        }
        sendNext()
        return true
    }

    // MARK: the kernel's commands on a shared controller

    /// A reply to a command someone else sent (the kernel, or another raw-socket user).
    private func othersAnswered(_ opcode: UInt16, status: UInt8) {
        if HCICommand.isScanEnable(opcode) {
            // An answer carries no parameters: on or off, the scan is no longer ours.
            scanTouchedByOthers = true
        } else if opcode == HCICommand.leCreateConnectionOpcode || opcode == HCICommand.leExtendedCreateConnectionOpcode {
            // Status 0 (a Command Status): connecting until an LE Connection Complete ends it.
            othersConnecting = status == 0
        } else {
            return
        }
        scheduleKernelRestore()
    }

    /// A connection attempt ended, or a link went down (after which the kernel re-plans
    /// its own scanning and may turn ours off).
    private func connectionEvent(attemptEnded: Bool) {
        if attemptEnded { othersConnecting = false }
        scheduleKernelRestore()
    }

    /// (Re)arms the restore: debounced, so each new event of the kernel's pushes it back,
    /// and held while the kernel is connecting.
    private func scheduleKernelRestore() {
        kernelRestoreTimer?.cancel()
        kernelRestoreTimer = nil
        guard started, scanTouchedByOthers, !othersConnecting else { return }
        kernelRestoreTimer = loop.after(HCIScanner.kernelRestoreDelay) { [self] in
            self.kernelRestoreTimer = nil
            guard self.started, self.scanTouchedByOthers, !self.othersConnecting else { return }
            self.scanTouchedByOthers = false
            self.stats.restartsAfterKernel += 1
            self.restart("the scan was turned off by another user of the adapter (the kernel, to connect)")
        }
    }

    private func fail(_ reason: String) {
        queue.removeAll()
        inFlight = nil
        timer?.cancel()
        timer = nil
        log.warning("scan on " + transport.label + ": " + reason)
        setState(.failed(reason))
        let delay = backoff.nextDelay()
        retryTimer = loop.after(delay) { [self] in
            self.retryTimer = nil
            self.restart("retry after: " + reason)
        }
    }

    private func setState(_ new: State) {
        guard new != state else { return }
        state = new
        onStateChange(new)
    }

    private func transportLost(_ reason: String) {
        watch?.cancel()
        watch = nil
        timer?.cancel()
        retryTimer?.cancel()
        started = false
        setState(.failed(reason))
        onTransportLost(reason)
    }

    // MARK: input

    private func handle(_ events: IOEvents) {
        if events.contains(.writable) {
            do throws(BLEError) { try transport.flush() } catch {
                transportLost(error.description)
                return
            }
            watch?.interest = transport.hasPendingOutput ? [.read, .write] : .read
        }
        if events.contains(.readable) || events.contains(.hangup) || events.contains(.error) {
            readAvailable(hungUp: events.contains(.hangup) || events.contains(.error))
        }
    }

    private func readAvailable(hungUp: Bool) {
        // A few reads per wake-up, so a flood cannot starve the rest of the loop.
        for _ in 0..<16 {
            let transport = self.transport
            let outcome: Result<IOResult<Int>, BLEError> = readBuffer.withUnsafeMutableBytes { buffer in
                do throws(BLEError) { return .success(try transport.read(into: buffer)) } catch { return .failure(error) }
            }
            let result: IOResult<Int>
            switch outcome {
            case .success(let value): result = value
            case .failure(let error):
                transportLost(error.description)
                return
            }
            switch result {
            case .wouldBlock:
                return
            case .done(0):
                transportLost(transport.label + " closed")
                return
            case .done(let count):
                feed(count)
            }
        }
        _ = hungUp
    }

    /// Hands `count` bytes of `readBuffer` to the reassembler and the events to `dispatch`.
    func feed(_ count: Int) {
        let bytesBefore = reassembler.resyncBytes
        let resyncsBefore = reassembler.resyncs
        readBuffer.withUnsafeBytes { raw in
            reassembler.feed(UnsafeRawBufferPointer(rebasing: raw[0..<count])) { packet in dispatch(packet) }
        }
        stats.resyncBytes += reassembler.resyncBytes - bytesBefore
        stats.resyncs += reassembler.resyncs - resyncsBefore
        quietTimer?.cancel()
        quietTimer = nil
        guard reassembler.isHolding else { return }
        quietTimer = loop.after(H4Reassembler.quietInterval) { [self] in
            quietTimer = nil
            reassembler.lineWentQuiet { packet in dispatch(packet) }
        }
    }

    /// Acts on one event packet (code, length, parameters).
    public func dispatch(_ packet: ArraySlice<UInt8>) {
        guard let event = HCIEvent.parse(packet) else {
            stats.malformedEvents += 1
            return
        }
        switch event {
        case .commandComplete(let opcode, let returned):
            let status = returned.first ?? 0
            if !answered(opcode, status: status) { othersAnswered(opcode, status: status) }
        case .commandStatus(let status, let opcode):
            if !answered(opcode, status: status) { othersAnswered(opcode, status: status) }
        case .leMeta(let subevent, let parameters):
            let wellFormed: Bool
            switch subevent {
            case HCIEvent.advertisingReport:
                wellFormed = HCIAdvertisingReport.forEachLegacy(parameters) { report in deliver(report) }
            case HCIEvent.extendedAdvertisingReport:
                wellFormed = HCIAdvertisingReport.forEachExtended(parameters) { report in deliver(report) }
            default:
                wellFormed = true
                if HCIEvent.connectionCompleteSubevents.contains(subevent) { connectionEvent(attemptEnded: true) }
            }
            if !wellFormed { stats.malformedReports += 1 }
        case .hardwareError(let code):
            restart("controller hardware error 0x" + Hex.encode([code]))
        case .disconnectionComplete:
            connectionEvent(attemptEnded: false)
        case .other:
            break
        }
    }

    private func deliver(_ report: HCIAdvertisingReport) {
        stats.reports += 1
        reportsThisWindow += 1
        onReport(report)
    }
}
