import CSupport
import Runtime
import Store

/// `switchyard run`: the gateway in the foreground until SIGINT/SIGTERM.
enum RunCommand {
    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, valued: ["--data", "--config", "--log-level", "--log-format"])
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
        // Signals first: every thread started later inherits the blocked mask.
        let signals: SignalEvents
        do throws(RuntimeError) { signals = try SignalEvents() } catch {
            Output.error("switchyard run: \(error.description)")
            return 1
        }
        let store = ConfigStore(schema: ServiceCatalog.schema, dataDirectory: DataDirectory.resolve(parsed.value("--data")),
                                boardDefaultsPath: parsed.value("--config"))
        let gateway: Gateway
        do throws(GatewayError) {
            gateway = try Gateway(store: store, signals: signals,
                                  logLevelOverride: levelOverride, logFormatOverride: formatOverride)
            try gateway.run()
        } catch {
            Logger("switchyard").critical(error.description)
            return 1
        }
        return gateway.exitStatus
    }
}
