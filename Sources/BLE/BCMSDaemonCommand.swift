import CLI
import CSupport
import ServiceKit

/// The binary run as `bcms-daemon`: the gateway (`switchyard run`) with the seed daemon's
/// flags mapped to settings through their environment names, so nothing is saved and the
/// saved settings stay as they were: `--debug True` is `--log-level debug`, `--username U`
/// is iot.username, `--use_device_identity True` is iot.use_device_identity,
/// `--application_identifier A` is iot.application_identifier; BLE is switched on, and so
/// is the original's Cap'n Proto RPC beside JSON-RPC on the RPC port (ble.capnp).
enum BCMSDaemonCommand {
    /// `bcms-daemon` in the `ble` service's descriptor; the binary run as `bcms-daemon` (a
    /// symlink) is it too. It is the gateway, so it runs until signalled.
    static var command: ServiceCommand {
        ServiceCommand("bcms-daemon",
                       summary: "The gateway with the BCMS daemon's flags (--debug --username --use_device_identity ...)",
                       help: help, runsUntilSignalled: true, answersToProgramName: true) {
            arguments, environment throws(UsageError) in
            try main(arguments, runGateway: environment.runGateway)
        }
    }

    static let help = """
    usage: bcms-daemon [-h] [--debug BOOL] [--username USERNAME] [--use_device_identity BOOL]
                       [--application_identifier ID] [--data DIR]

    The BLE client manager daemon: `switchyard run` with ble.enabled on and the seed's options
    as settings for this run (iot.username, iot.use_device_identity, iot.application_identifier;
    --debug True logs at debug level). Everything else comes from the saved settings.
    """

    static func main(_ arguments: [String], runGateway: ([String]) throws(UsageError) -> Int32) throws(UsageError) -> Int32 {
        var run: [String] = []
        // The original's RPC too: Cap'n Proto on the RPC port (127.0.0.1:4567 by default).
        var environment: [(String, String)] = [("BCMS_ENABLED", "true"), ("BCMS_CAPNP", "true")]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" {
                Output.line(help)
                return 0
            }
            // Known options only: `--bogus` at the end is unknown, not an option missing its value.
            guard ["--debug", "--username", "--use_device_identity", "--application_identifier", "--data"]
                .contains(argument) else { throw UsageError("unknown option " + argument + " (bcms-daemon --help)") }
            guard index < arguments.count else { throw UsageError(argument + " needs a value") }
            let value = arguments[index]
            index += 1
            switch argument {
            case "--debug":
                if try flag(argument, value) { run += ["--log-level", "debug"] }
            case "--username": environment.append(("BCMS_USERNAME", value))
            case "--use_device_identity":
                environment.append(("BCMS_USE_DEVICE_IDENTITY", try flag(argument, value) ? "true" : "false"))
            case "--application_identifier": environment.append(("BCMS_APPLICATION_IDENTIFIER", value))
            case "--data": run += ["--data", value]
            default: throw UsageError("unknown option " + argument + " (bcms-daemon --help)")
            }
        }
        // The store reads these as the environment layer of this process only.
        for (name, value) in environment { _ = setenv(name, value, 1) }
        return try runGateway(run)
    }

    /// The seed's Python-style booleans: True/False (any case), 1/0.
    private static func flag(_ name: String, _ value: String) throws(UsageError) -> Bool {
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw UsageError(name + " takes True or False")
        }
    }
}
