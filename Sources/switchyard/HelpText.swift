/// Every `--help` text, in one place so they stay consistent with each other and the README.
enum HelpText {
    static let overview = """
    switchyard \(Version.string): gateway firmware that bridges BLE sensors, Benchlab devices,
    a CAN bus, BMW CarData and Skoda cars onto MQTT.

    Usage: switchyard <command> [options]

    Commands:
      run        Run the gateway until SIGINT/SIGTERM (SIGHUP reloads the settings)
      selftest   Check the run loop, rings, config store, JSON and the C libraries
      config     Show or change saved settings offline: show | get KEY | set KEY VALUE | unset KEY
      version    Print the firmware version and architecture
      can-tunnel Tunnel a CAN bus over MQTT like PyMQTT2CAN: -b -i -s -u -p -t -H -P -S
      help       This text; `switchyard help <command>` or `switchyard <command> --help` for one

    Settings come from (highest first): environment (MQTT_BROKER, MQTT_PORT, LOG_LEVEL, ...),
    saved settings in the data directory, the --config file, built-in defaults.
    `switchyard config show` lists every key with its value and where it came from.
    """

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

    static func forCommand(_ name: String) -> String? {
        switch name {
        case "run": return run
        case "selftest": return selftest
        case "config": return config
        case "version": return version
        case "can-tunnel": return CANTunnelCommand.help
        default: return nil
        }
    }
}
