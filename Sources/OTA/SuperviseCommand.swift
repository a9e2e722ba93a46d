import CLI
import CSupport
import Runtime
import ServiceKit
import Store

/// `switchyard supervise`: the image's service entry. Starts the active slot's binary as a
/// child (`run`), restarts it when it exits (with a backoff that only a run healthy for
/// `ota.stable_s` starts over), commits a slot on trial once it has been healthy that long,
/// and rolls back when it crashes 3 times or stays unhealthy for `ota.trial_s`. With `--log`
/// it keeps the log file and rotates it by size while running.
enum SuperviseCommand {
    /// `--log-max` unless given: 1 MiB, one previous copy kept.
    static let defaultLogMax = 1 << 20

    /// `supervise` in the `ota` service's descriptor: the image's service, until signalled.
    static var command: ServiceCommand {
        ServiceCommand("supervise",
                       summary: "Run the active firmware slot, restart it, roll back a bad update (the image's service)",
                       help: help, runsUntilSignalled: true) { arguments, environment throws(UsageError) in
            try main(arguments, schema: environment.schema)
        }
    }

    static let help = """
    Usage: switchyard supervise [--data DIR] [--factory BINARY] [--log FILE [--log-max BYTES]]
                                [--safe-mode-after N] [-- RUN-OPTIONS...]

    What the image starts: runs `BINARY run --data DIR RUN-OPTIONS` for the active firmware slot
    (DIR/ota/slot-a or slot-b, else the factory binary, by default this one) and restarts it
    when it exits, waiting 1 s doubling to 60 s after crashes. A run counts as good only once
    the gateway has stayed up ota.stable_s (30 s) after reporting healthy: only that starts the
    backoff over, so a gateway that reports healthy and then crashes is not restarted every
    second. A slot on trial (just updated) must report healthy (broker connected, no service
    failed) within ota.trial_s (120 s), stay up ota.stable_s after that, and crash fewer than
    3 times, else the supervisor goes back to the previous slot; a good trial is then
    committed. When no slot can start, the factory binary runs. SIGTERM/SIGINT stop the child
    and then the supervisor.

    Options:
      --log FILE       Keep the log in FILE (the gateway's output and the supervisor's own),
                       rotated to FILE.1 while running when it passes --log-max
      --log-max BYTES  Size at which FILE is rotated (default 1048576)
      --safe-mode-after N
                       After N ends in a row without a stable run (default 5; 0: never), start
                       the gateway in safe mode: only the console, the uplink (with the broker
                       settings that last connected) and OTA, until settings are saved or 10 min
                       pass. Why the gateway last ended is kept in DIR/last-crash.
    """

    static func main(_ arguments: [String], schema: ConfigSchema) throws(UsageError) -> Int32 {
        var own: [String] = []
        var passed: [String] = []
        if let separator = arguments.firstIndex(of: "--") {
            own = Array(arguments[..<separator])
            passed = Array(arguments[(separator + 1)...])
        } else {
            own = arguments
        }
        // `--watchdog PATH` is for tests: a file standing in for /dev/watchdog.
        let parsed = try Arguments(own, valued: ["--data", "--factory", "--config", "--log", "--log-max",
                                                 "--safe-mode-after", "--watchdog"])
        if parsed.wantsHelp {
            Output.line(help)
            return 0
        }
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument \(parsed.positionals[0])") }
        let data = DataDirectory.resolve(parsed.value("--data"))
        if let config = parsed.value("--config") { passed = ["--config", config] + passed }
        let factory = parsed.value("--factory") ?? SlotSupervisor.ownPath()
        let logMaxText = parsed.value("--log-max") ?? String(SuperviseCommand.defaultLogMax)
        guard let logMax = Int(logMaxText), logMax >= 4096 && logMax <= 1 << 30 else {
            throw UsageError("--log-max \(logMaxText): bytes, 4096 to \(1 << 30)")
        }
        let safeText = parsed.value("--safe-mode-after") ?? "5"
        guard let safeModeAfter = Int(safeText), safeModeAfter >= 0 && safeModeAfter <= 1000 else {
            throw UsageError("--safe-mode-after \(safeText): a number of crashes, 0 (never) to 1000")
        }
        sy_ignore_sigpipe()
        let signals: SignalEvents
        let loop: EventLoop
        do throws(RuntimeError) {
            signals = try SignalEvents([SIGINT, SIGTERM, SIGHUP, SIGCHLD])
            loop = try EventLoop()
        } catch {
            Output.error("switchyard supervise: \(error.description)")
            return 1
        }
        var logFile: SupervisorLogFile?
        if let path = parsed.value("--log") {
            do throws(RuntimeError) { logFile = try SupervisorLogFile(path: path, maxBytes: logMax, loop: loop) } catch {
                // Without its log the gateway still runs: its output stays where ours goes.
                Output.error("switchyard supervise: log \(path): \(error.description); logging to standard error")
            }
        }
        let store = ConfigStore(schema: schema, dataDirectory: data, boardDefaultsPath: parsed.value("--config"))
        let settings = SupervisorSettings(store: store)
        let supervisor = SlotSupervisor(data: data, factory: factory, runArguments: passed, loop: loop,
                                        trial: settings.trial, stable: settings.stable, logFile: logFile,
                                        safeModeAfter: safeModeAfter, silenceLimit: settings.silenceLimit)
        // Issue 27: armed while this loop runs; a run ending in an error leaves it armed on purpose.
        let watchdog = WatchdogFeeder(path: parsed.value("--watchdog") ?? WatchdogFeeder.defaultPath, loop: loop)
        watchdog.isAlive = { supervisor.gatewayAlive }
        // The settings are read again before every start of the gateway (the first arms the
        // watchdog): a saved change applies at the next `restart` or crash, not only at boot.
        var loaded = true  // the first start uses what was just read (and logged)
        supervisor.beforeLaunch = { supervisor in
            if !loaded { store.reload() }
            loaded = false
            let fresh = SupervisorSettings(store: store)
            supervisor.apply(fresh)
            watchdog.apply(seconds: fresh.watchdogSeconds)
        }
        loop.handleSignals(signals) { signal in supervisor.handle(signal) }
        supervisor.start()
        do throws(RuntimeError) { try loop.run() } catch {
            Output.error("switchyard supervise: \(error.description)")
            return 1
        }
        watchdog.closeCleanly()
        return 0
    }
}
