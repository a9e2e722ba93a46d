import CLI
import ServiceKit

/// The overview and the `--help` texts of the binary's own commands; a service's commands
/// carry their own.
enum HelpText {
    /// `switchyard help`: what the binary is, its commands (its own, then the services'),
    /// the services themselves, and where settings come from.
    static func overview(_ commands: [ServiceCommand]) -> String {
        let help = "This text; `switchyard help <command>` or `switchyard <command> --help` for one"
        let width = commands.reduce(4) { max($0, $1.name.utf8.count) } + 2
        var text = "switchyard " + Version.string + ": gateway firmware that bridges devices, buses and clouds onto MQTT.\n\n"
            + "Usage: switchyard <command> [options]\n\nCommands:\n"
        for command in commands { text += "  " + padded(command.name, width) + command.summary + "\n" }
        text += "  " + padded("help", width) + help + "\n\nServices (each switched on by its <name>.enabled setting):\n"
        for service in ServiceCatalog.services { text += "  " + padded(service.name, width) + service.summary + "\n" }
        return text + """

        Settings come from (highest first): environment (MQTT_BROKER, MQTT_PORT, LOG_LEVEL, ...),
        saved settings in the data directory, the --config file, built-in defaults.
        `switchyard config show` lists every key with its value and where it came from.
        """
    }

    private static func padded(_ name: String, _ width: Int) -> String {
        name + String(repeating: " ", count: max(1, width - name.utf8.count))
    }

    static let run = """
    Usage: switchyard run [--data DIR] [--config FILE] [--log-level LEVEL] [--log-format plain|json]

    Runs the gateway in the foreground: one run loop, every enabled service, until SIGINT or
    SIGTERM (graceful: services stop, outboxes flush, exit status 0). SIGHUP reloads settings and restarts the services whose keys changed.

    Options:
      --data DIR           Data directory holding saved settings and spools
                           (default: $SWITCHYARD_DATA, else /var/lib/switchyard)
      --config FILE        Site/board defaults as key=value lines, applied under saved settings
                           (default: the board's /etc/switchyard/boards/<board>.conf, the board
                           from board.name or $SWITCHYARD_BOARD, else /proc/device-tree/model)
      --log-level LEVEL    debug, info, warning, error or critical (overrides log.level)
      --log-format FORMAT  plain or json (JSON lines with time, level, name, message)
    """

    static let selftest = """
    Usage: switchyard selftest

    Exercises the run loop (fixed-rate task, timer, descriptor, wake-up), a ring across two
    threads, a config store round trip in a temporary directory, JSON encode/decode, and the
    initialisation of libmosquitto, libcurl, OpenSSL and the other C libraries. Prints one
    line per check and a summary; exit status 0 only if every check passed.
    """

    static let config = """
    Usage: switchyard config show [--data DIR] [--config FILE]
           switchyard config get KEY [--data DIR] [--config FILE]
           switchyard config set KEY VALUE [--data DIR]
           switchyard config unset KEY [--data DIR]
           switchyard config keys

    Reads and changes the saved settings in the data directory without a running gateway
    (a running gateway applies them on SIGHUP or `reload`: the services whose keys changed restart). Secrets print as ***.
    `set` validates the value and says what is allowed when it is not; `unset` returns a
    key to its default. `keys` lists every key with its help text.

    Options:
      --data DIR     Data directory (default: $SWITCHYARD_DATA, else /var/lib/switchyard)
      --config FILE  Site/board defaults as key=value lines
    """

    static let version = """
    Usage: switchyard version

    Prints the firmware version and the architecture it was built for.
    """
}
