import CSupport
import OTA
import Runtime
import ServiceCatalog
import Store

/// `switchyard supervise`: the image's service entry. Starts the active slot's binary as a
/// child (`run`), restarts it when it exits (with a backoff that only a run healthy for
/// `ota.stable_s` starts over), commits a slot on trial once it has been healthy that long,
/// and rolls back when it crashes 3 times or stays unhealthy for `ota.trial_s`. With `--log`
/// it keeps the log file and rotates it by size while running.
enum SuperviseCommand {
    /// `--log-max` unless given: 1 MiB, one previous copy kept.
    static let defaultLogMax = 1 << 20

    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        var own: [String] = []
        var passed: [String] = []
        if let separator = arguments.firstIndex(of: "--") {
            own = Array(arguments[..<separator])
            passed = Array(arguments[(separator + 1)...])
        } else {
            own = arguments
        }
        let parsed = try Arguments(own, valued: ["--data", "--factory", "--config", "--log", "--log-max"])
        if parsed.wantsHelp {
            Output.line(HelpText.supervise)
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
        let store = ConfigStore(schema: ServiceCatalog.schema, dataDirectory: data, boardDefaultsPath: parsed.value("--config"))
        let supervisor = SlotSupervisor(data: data, factory: factory, runArguments: passed, loop: loop,
                                        trial: store.value(OTAConfigKeys.trialInterval),
                                        stable: store.value(OTAConfigKeys.stableInterval), logFile: logFile)
        loop.handleSignals(signals) { signal in supervisor.handle(signal) }
        supervisor.start()
        do throws(RuntimeError) { try loop.run() } catch {
            Output.error("switchyard supervise: \(error.description)")
            return 1
        }
        return 0
    }
}
