import Board
import CLI
import Console
import CSupport
import Runtime
import ServiceCatalog
import ServiceKit
import Store

/// `switchyard run`: the gateway in the foreground until SIGINT/SIGTERM.
enum RunCommand {
    static var command: ServiceCommand {
        ServiceCommand("run", summary: "Run the gateway until SIGINT/SIGTERM (SIGHUP reloads the settings)",
                       help: HelpText.run, runsUntilSignalled: true) { arguments, _ throws(UsageError) in try main(arguments) }
    }

    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        // `--safe-mode` is the supervisor's, after repeated crashes (see `GatewayMode`).
        let mode: GatewayMode = arguments.contains(GatewayMode.safeOption) ? .safe : .normal
        let parsed = try Arguments(arguments.filter { $0 != GatewayMode.safeOption },
                                   valued: ["--data", "--config", "--log-level", "--log-format"])
        if parsed.wantsHelp {
            Output.line(HelpText.run)
            return 0
        }
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument \(parsed.positionals[0])") }
        var levelOverride: LogLevel? = nil
        if let name = parsed.value("--log-level") {
            guard let level = LogLevel(name: name) else {
                throw UsageError("--log-level \(name): use debug, info, warning, error or critical")
            }
            levelOverride = level
        }
        var formatOverride: LogFormat? = nil
        if let name = parsed.value("--log-format") {
            guard let format = LogFormat(name: name) else { throw UsageError("--log-format \(name): use plain or json") }
            formatOverride = format
        }

        sy_ignore_sigpipe()
        // Before any thread: the log's observer is set once (`log tail` reads it).
        LogTail.install()
        // Signals first: every thread started later inherits the blocked mask.
        let signals: SignalEvents
        do throws(RuntimeError) { signals = try SignalEvents() } catch {
            Output.error("switchyard run: \(error.description)")
            return 1
        }
        let dataDirectory = DataDirectory.resolve(parsed.value("--data"))
        let board = chooseBoard(configFile: parsed.value("--config"), dataDirectory: dataDirectory)
        let store = ConfigStore(schema: ServiceCatalog.schema, dataDirectory: dataDirectory,
                                boardDefaultsPath: board.defaultsPath)
        Logger("board").info(board.reason)
        let gateway: Gateway
        do throws(GatewayError) {
            gateway = try Gateway(store: store, signals: signals,
                                  logLevelOverride: levelOverride, logFormatOverride: formatOverride, mode: mode)
            try gateway.run()
        } catch {
            Logger("switchyard").critical(error.description)
            return 1
        }
        return gateway.exitStatus
    }

    /// The board profile to apply (see `BoardSelection`). A saved or environment `board.name`
    /// wins over detection, so the settings are read once without board defaults to see it.
    static func chooseBoard(configFile: String?, dataDirectory: String) -> BoardSelection {
        var configured: String? = nil
        if configFile == nil {
            // This first read stays quiet: a damaged settings file is reported once, by the
            // store the gateway runs with.
            let level = LogSettings.level
            LogSettings.level = .critical
            defer { LogSettings.level = level }
            let settings = ConfigStore(schema: ServiceCatalog.schema, dataDirectory: dataDirectory)
            if settings.source(of: BoardConfigKeys.name) != .defaultValue {
                configured = settings.string(BoardConfigKeys.name)
            }
        }
        return BoardSelection.choose(configFile: configFile, configuredBoard: configured,
                                     environment: ConfigStore.processEnvironment)
    }
}
