import CSupport
import OTA
import Runtime
import Store

/// `switchyard supervise`: the image's service entry. Starts the active slot's binary as a
/// child (`run`), restarts it when it exits, commits a slot on trial when it reports healthy,
/// and rolls back when it crashes 3 times or stays unhealthy for `ota.trial_s`.
enum SuperviseCommand {
    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        var own: [String] = []
        var passed: [String] = []
        if let separator = arguments.firstIndex(of: "--") {
            own = Array(arguments[..<separator])
            passed = Array(arguments[(separator + 1)...])
        } else {
            own = arguments
        }
        let parsed = try Arguments(own, valued: ["--data", "--factory", "--config"])
        if parsed.wantsHelp {
            Output.line(HelpText.supervise)
            return 0
        }
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument \(parsed.positionals[0])") }
        let data = DataDirectory.resolve(parsed.value("--data"))
        if let config = parsed.value("--config") { passed = ["--config", config] + passed }
        let factory = parsed.value("--factory") ?? SlotSupervisor.ownPath()
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
        let store = ConfigStore(schema: ServiceCatalog.schema, dataDirectory: data, boardDefaultsPath: parsed.value("--config"))
        let supervisor = SlotSupervisor(data: data, factory: factory, runArguments: passed, loop: loop,
                                        trial: store.value(OTAConfigKeys.trialInterval))
        loop.handleSignals(signals) { signal in supervisor.handle(signal) }
        supervisor.start()
        do throws(RuntimeError) { try loop.run() } catch {
            Output.error("switchyard supervise: \(error.description)")
            return 1
        }
        return 0
    }
}
