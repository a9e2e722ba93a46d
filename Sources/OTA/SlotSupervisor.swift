import CSupport
import Runtime
import ServiceKit

/// The process side of `switchyard supervise`: one child at a time, a health pipe from it,
/// SIGCHLD from the signalfd, backoff between crashes, the trial deadline and the stable
/// period after a healthy report as timers. Every decision on the state record goes through
/// `SlotSupervisorPolicy`, under its lock; restart pacing through `SlotRestartPacing`.
final class SlotSupervisor {
    let paths: OTAPaths
    let data: String
    let factory: String
    let runArguments: [String]
    let loop: EventLoop
    private(set) var trial: Interval
    let states: OTAStateStore
    /// Where the children's output goes when the supervisor keeps the log (`--log`).
    let logFile: SupervisorLogFile?
    private let log = Logger("supervise")
    private var child: pid_t = 0
    private var childSlot = OTASlot.factory
    private var healthPipe: OwnedDescriptor?
    private var healthWatch: IOWatch?
    private var healthy = false
    private var trialTimer: OneShotTimer?
    /// Runs out `pacing.stable` after the healthy report: the run counts, a trial is committed.
    private var stableTimer: OneShotTimer?
    private var killTimer: OneShotTimer?
    private var restartTimer: OneShotTimer?
    private var pacing: SlotRestartPacing
    private var stopping = false
    /// A trial that ran out: the child is being stopped, then the supervisor rolls back.
    private var pendingRollback: String?
    /// Crashes in a row before the gateway starts in safe mode (0: never).
    let safeModeAfter: Int
    /// Ends on its own since the last stable run.
    private var crashesInARow = 0
    /// Whether the running (or next) child is in safe mode.
    private var safeMode = false
    /// The gateway's heartbeats (issue 27): a silent one is killed and restarted.
    private var silence: GatewaySilence
    private var silenceCheck: FixedRateTask?
    /// Whether the hardware watchdog should still be fed: false once restarting a silent
    /// gateway has not brought its heartbeats back.
    var gatewayAlive: Bool { silence.feedsWatchdog }
    /// Called before each start of the gateway, the first included: `supervise` reads the
    /// settings again there and hands them to `apply`.
    var beforeLaunch: ((SlotSupervisor) -> Void)?

    init(data: String, factory: String, runArguments: [String], loop: EventLoop, trial: Interval, stable: Interval,
         logFile: SupervisorLogFile? = nil, safeModeAfter: Int = 5, silenceLimit: Interval = .zero) {
        self.data = data
        silence = GatewaySilence(limit: silenceLimit)
        self.safeModeAfter = safeModeAfter
        self.logFile = logFile
        pacing = SlotRestartPacing(stable: stable)
        paths = OTAPaths(dataDirectory: data)
        self.factory = factory
        self.runArguments = runArguments
        self.loop = loop
        self.trial = trial
        states = OTAStateStore(paths: paths)
    }

    /// This executable's path (the factory binary unless `--factory` says otherwise).
    static func ownPath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "/proc/self/exe" }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func start() {
        log.info("supervising \(data) (factory binary \(factory), trial \(trial.milliseconds / 1000) s, "
            + "stable after \(pacing.stable.milliseconds / 1000) s healthy)")
        watchSilence()
        launch()
    }

    /// Takes settings read again (between two children: none is running). A new silence
    /// limit starts its count of silent restarts over.
    func apply(_ settings: SupervisorSettings) {
        if settings.trial != trial || settings.stable != pacing.stable {
            trial = settings.trial
            pacing.stable = settings.stable
            log.info("ota.trial_s is now \(trial.milliseconds / 1000) s, ota.stable_s \(pacing.stable.milliseconds / 1000) s")
        }
        if settings.silenceLimit != silence.limit {
            silence = GatewaySilence(limit: settings.silenceLimit)
            log.info(settings.silenceLimit > .zero
                ? "watchdog.gateway_silence_s is now \(settings.silenceLimit.milliseconds / 1000) s"
                : "watchdog.gateway_silence_s is now 0: the gateway's heartbeats are not watched")
            watchSilence()
        }
    }

    /// The periodic silence check, at the current limit's pace; none when the limit is zero.
    private func watchSilence() {
        silenceCheck?.cancel()
        silenceCheck = nil
        guard silence.limit > .zero, !stopping else { return }
        silenceCheck = loop.addTask("gateway-silence", every: silence.heartbeatPeriod) { [self] in self.checkSilence() }
    }

    func handle(_ signal: Int32) {
        switch signal {
        case SIGCHLD:
            reap()
        case SIGHUP:
            // The gateway reloads its settings on SIGHUP: pass it on.
            if child > 0 { kill(child, SIGHUP) }
        default:
            log.info("\(SignalEvents.name(of: signal)): stopping the gateway")
            stopping = true
            restartTimer?.cancel()
            trialTimer?.cancel()
            stableTimer?.cancel()
            silenceCheck?.cancel()
            if child > 0 {
                kill(child, SIGTERM)
                killTimer = loop.after(.seconds(10)) { [self] in if self.child > 0 { kill(self.child, SIGKILL) } }
            } else {
                loop.stop()
            }
        }
    }

    // MARK: starting

    private func launch() {
        guard !stopping, child == 0 else { return }
        beforeLaunch?(self)
        logFile?.rotateIfNeeded()
        var slot = OTASlot.factory
        do throws(OTAError) {
            let record = try states.update { record in
                let chosen = SlotSupervisorPolicy.slotToStart(record) { [self] candidate in
                    guard let path = self.paths.binary(candidate) else { return true }
                    return access(path, X_OK) == 0
                }
                SlotSupervisorPolicy.recordStart(&record, slot: chosen)
                slot = chosen
            }
            if record.trial && record.active == slot {
                log.info("slot \(slot.name) (\(record[slot].version)) on trial: start \(record.trialStarts), "
                    + "\(record.trialCrashes) crashes so far")
            }
        } catch {
            // A record we cannot read or write: the factory binary is the safe choice.
            log.error("state record: \(error.description); starting the factory binary")
            slot = .factory
        }
        let binary = paths.binary(slot) ?? factory
        healthy = false
        pacing.started()
        var fds: [Int32] = [-1, -1]
        guard pipe2(&fds, O_CLOEXEC) == 0 else {
            log.error("pipe: \(Errno.current.description); retrying in 1 s")
            restartTimer = loop.after(.seconds(1)) { [self] in self.launch() }
            return
        }
        let readEnd = FileDescriptor(fds[0])
        let writeEnd = FileDescriptor(fds[1])
        var argv = [binary, "run", "--data", data] + runArguments
        if safeMode { argv.append(SupervisorLink.safeModeOption) }
        var environment: [String] = []
        if let environ = sy_environ() {
            var index = 0
            while let entry = environ[index] {
                let text = String(cString: entry)
                if !text.hasPrefix(SupervisorLink.healthVariable) && !text.hasPrefix(OTAService.slotVariable + "=")
                    && !text.hasPrefix(SupervisorLink.heartbeatVariable + "=") {
                    environment.append(text)
                }
                index += 1
            }
        }
        environment.append(SupervisorLink.healthVariable + "=3")
        environment.append(OTAService.slotVariable + "=" + slot.name)
        if silence.limit > .zero {
            environment.append(SupervisorLink.heartbeatVariable + "=" + String(silence.heartbeatPeriod.milliseconds))
        }
        var pid: pid_t = 0
        let result = SlotSupervisor.spawn(&pid, binary, &argv, environment, passing: writeEnd,
                                          output: logFile?.childOutput)
        writeEnd.close()
        guard result == 0 else {
            readEnd.close()
            log.error("cannot start \(binary): \(Errno(result).description)")
            exited(slot: slot, how: "could not be started (\(Errno(result).description))")
            return
        }
        child = pid
        childSlot = slot
        silence.started(at: loop.clock.now())
        log.info("started slot \(slot.name): \(binary) (pid \(pid))" + (safeMode ? " in safe mode" : ""))
        let owned = OwnedDescriptor(readEnd)
        healthPipe = owned
        healthWatch = loop.watch(readEnd) { [self] _ in self.readHealth() }
        if let record = try? states.load(), record.trial && record.active == slot {
            trialTimer = loop.after(trial) { [self] in self.trialExpired() }
        }
    }

    private static func spawn(_ pid: inout pid_t, _ path: String, _ argv: inout [String], _ environment: [String],
                              passing fd: FileDescriptor, output: FileDescriptor?) -> Int32 {
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        return sy_spawn(&pid, path, &cArguments, &cEnvironment, fd.rawValue, 3, output?.rawValue ?? -1)
    }

    // MARK: the child's health

    private func readHealth() {
        guard let pipe = healthPipe else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { CSupport.read(pipe.fd.rawValue, $0.baseAddress, $0.count) }
        if count > 0 {
            // Heartbeats are `.`; anything else is the healthy line (all an older gateway sends).
            var report = false
            for byte in buffer[0..<count] {
                if byte == SupervisorLink.heartbeatByte { silence.beat(at: loop.clock.now()) } else { report = true }
            }
            guard report, !healthy else { return }
            healthy = true
            pacing.reportedHealthy(at: loop.clock.now())
            trialTimer?.cancel()
            trialTimer = nil
            let slot = childSlot
            let onTrial = (try? states.load()).map { $0.trial && $0.active == slot } ?? false
            // Not committed yet: a crash in the next `stable` still counts, as a crash of the
            // trial (towards the rollback) and towards the backoff.
            log.info("slot \(slot.name) reported healthy" + (onTrial
                ? "; committing it once it has stayed up \(pacing.stable.milliseconds / 1000) s" : ""))
            let pid = child
            stableTimer = loop.after(pacing.stable) { [self] in self.stableReached(pid: pid) }
        } else {
            // End of file (the child wrote its line and closed it, or died): stop watching.
            healthWatch?.cancel()
            healthWatch = nil
            healthPipe = nil
        }
    }

    /// Kills a gateway silent past the limit (it restarts within the normal backoff); when
    /// restarts have not helped, the watchdog feeding stops too (`gatewayAlive`).
    private func checkSilence() {
        guard child > 0, !stopping else { return }
        let seconds: Int64
        switch silence.check(at: loop.clock.now()) {
        case .alive:
            return
        case .restart(let silent):
            seconds = silent.milliseconds / 1000
            log.warning("gateway silent for \(seconds) s: restarting it")
        case .reset(let silent):
            seconds = silent.milliseconds / 1000
            log.error("gateway silent for \(seconds) s after \(GatewaySilence.restartsBeforeReset) restarts: "
                + "letting the watchdog reset the board")
        }
        // SIGKILL: a stopped or blocked process would not act on SIGTERM.
        kill(child, SIGKILL)
    }

    /// The child has stayed up `stable` after reporting healthy: commit its slot if on trial.
    private func stableReached(pid: pid_t) {
        stableTimer = nil
        guard child == pid, healthy else { return }
        let slot = childSlot
        var committed = false
        do throws(OTAError) {
            let record = try states.update { record in
                committed = SlotSupervisorPolicy.recordHealthy(&record, slot: slot)
            }
            crashesInARow = 0
            if committed {
                log.info("slot \(slot.name) (\(record[slot].version)) stayed healthy \(pacing.stable.milliseconds / 1000) s: "
                    + "committed")
            }
        } catch {
            log.error("state record: \(error.description); slot \(slot.name) not committed")
        }
    }

    /// Keeps why the child ended in `<data>/last-crash` (the next start shows it): when, how,
    /// and the last lines it wrote when the supervisor keeps the log.
    private func recordCrash(slot: OTASlot, how: String) {
        var text = WallClock.iso8601(millisecondsSinceEpoch: WallClock.millisecondsSinceEpoch()) + " slot " + slot.name
            + " ended (" + how + ")"
        if let lines = logFile?.lastLines(5), !lines.isEmpty { text += "; last output:\n" + lines.joined(separator: "\n") }
        do throws(RuntimeError) {
            try FileSystem.replaceAtomically(path: data + "/" + SupervisorLink.lastCrashFile, bytes: Array((text + "\n").utf8),
                                             mode: 0o600)
        } catch {
            log.error("cannot keep why the gateway ended: " + error.description)
        }
    }

    private func trialExpired() {
        trialTimer = nil
        guard child > 0, !healthy else { return }
        pendingRollback = "did not report healthy within \(trial.milliseconds / 1000) s"
        log.warning("slot \(childSlot.name) \(pendingRollback!): stopping it")
        kill(child, SIGTERM)
        let pid = child
        killTimer = loop.after(.seconds(5)) { [self] in if self.child == pid { kill(pid, SIGKILL) } }
    }

    // MARK: exits

    private func reap() {
        while child > 0 {
            var status: Int32 = 0
            let pid = waitpid(child, &status, WNOHANG)
            guard pid == child else { return }
            child = 0
            silence.ended()
            killTimer?.cancel()
            trialTimer?.cancel()
            trialTimer = nil
            stableTimer?.cancel()
            stableTimer = nil
            healthWatch?.cancel()
            healthWatch = nil
            healthPipe = nil
            if stopping {
                log.info("gateway stopped; supervisor exits")
                logFile?.drain()
                loop.stop()
                return
            }
            let how: String
            if sy_wifexited(status) != 0 {
                let code = sy_wexitstatus(status)
                if code == SupervisorLink.restartStatus || (code == 0 && pendingRollback == nil) {
                    // A restart the gateway asked for (after an update): start what is active now.
                    log.info("slot \(childSlot.name) exited (\(code)) asking for a restart")
                    if safeMode {
                        // Settings fixed, or safe mode's time is up: try a normal start.
                        log.info("leaving safe mode")
                        safeMode = false
                        crashesInARow = 0
                    }
                    restartTimer = loop.after(.milliseconds(100)) { [self] in self.launch() }
                    return
                }
                how = "exit status \(code)"
            } else if sy_wifsignaled(status) != 0 {
                how = "killed by signal \(sy_wtermsig(status))"
            } else {
                how = "stopped"
            }
            exited(slot: childSlot, how: how)
        }
    }

    /// A child that ended without being asked to (or never started): count it, maybe roll
    /// back, and start again after the backoff.
    private func exited(slot: OTASlot, how: String) {
        recordCrash(slot: slot, how: how)
        var reason = pendingRollback
        pendingRollback = nil
        do throws(OTAError) {
            try states.update { record in
                if reason == nil { reason = SlotSupervisorPolicy.recordCrash(&record, slot: slot, how: how) }
                if let why = reason, record.trial && record.active == slot { SlotSupervisorPolicy.rollBack(&record, reason: why) }
            }
        } catch {
            // Uncounted, the crash cannot roll back; the next start reads the record again.
            log.error("state record: \(error.description); the end of slot \(slot.name) is not recorded")
            reason = nil
        }
        if let reason {
            log.error("slot \(slot.name) \(reason): rolled back")
            pacing.reset()
            restartTimer = loop.after(.milliseconds(100)) { [self] in self.launch() }
            return
        }
        let stable = pacing.isStable(at: loop.clock.now())
        crashesInARow = stable ? 1 : crashesInARow + 1
        if safeModeAfter > 0 && crashesInARow >= safeModeAfter && !safeMode {
            safeMode = true
            log.error("the gateway ended \(crashesInARow) times in a row: starting it in safe mode (console, uplink, "
                + "OTA only) until its settings are saved again or safe mode times out")
        }
        let delay = pacing.delayAfterExit(at: loop.clock.now())
        log.warning("slot \(slot.name) ended (\(how)" + (healthy && !stable ? ", less than "
            + "\(pacing.stable.milliseconds / 1000) s after reporting healthy" : "") + "); restarting in \(delay.milliseconds) ms")
        restartTimer = loop.after(delay) { [self] in self.launch() }
    }
}
