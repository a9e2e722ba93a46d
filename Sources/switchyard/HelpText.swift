import ServiceCatalog

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
      bmw        BMW CarData: login | credentials | status | catalogue (see `switchyard help bmw`)
      bcms       The BLE device manager CLI (seed BCMS): list, approve, remove, set_mode, pair, unpair, ...
      bcms-daemon The gateway with the BCMS daemon's flags (--debug --username --use_device_identity ...)
      http       One HTTP(S) request through the gateway's client: get URL | post URL --json TEXT
      ota        Firmware updates: keygen | push --file F --key K --node N | status
      supervise  Run the active firmware slot, restart it, roll back a bad update (the image's service)
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

    static let ota = """
    Usage: switchyard ota keygen [--out FILE]
           switchyard ota push --file IMAGE --key FILE --node NAME [--broker HOST[:PORT]] [options]
           switchyard ota status [--data DIR]

    keygen  Writes an Ed25519 key pair: FILE (private, mode 0600; default ota-key) and FILE.pub.
            Put FILE.pub's hex on each gateway: `switchyard config set ota.public_keys HEX`.
    push    Signs IMAGE (a switchyard firmware binary) and sends it over MQTT to gateway NAME
            (switchyard/NAME/ota/...): manifest, then chunks at QoS 1, resending what the gateway
            reports missing after a reconnect or restart. Shows the gateway's progress and exits 0
            only when the gateway runs the new version and has committed it; 1 with the reason
            when it refused the image (signature, target, expiry, serial, architecture, version,
            SHA-256) or rolled back. The manifest is signed for NAME only, with a serial above
            the last one the gateway reports and an expiry time: it cannot be replayed at
            another gateway, nor at this one once used or expired.
    status  The slots, versions, trial state and last failure recorded in a data directory.

    Push options:
      --broker HOST[:PORT]  Broker (default localhost:1883; 8883 means TLS with the system CAs)
      --version X.Y.Z       The image's version (default: read from its version stamp)
      --force               Allow reinstalling the version the gateway runs (never an older one)
      --downgrade           Allow a version older than the one the gateway runs (signed)
      --expires DURATION    How long the manifest stays valid: seconds, or with s, m, h or d
                            (default 24h; 1m to 365d)
      --chunk-size BYTES    Bytes per chunk (default 16384)
      --timeout SECONDS     Give up without a commit after this long (default 600)
      --username USER       Broker login; the password comes from $MQTT_PASSWORD
      --client-id ID        MQTT client id (default switchyard-ota-push-<random>)
    """

    static let supervise = """
    Usage: switchyard supervise [--data DIR] [--factory BINARY] [--log FILE [--log-max BYTES]]
                                [-- RUN-OPTIONS...]

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
    """

    static func forCommand(_ name: String) -> String? {
        switch name {
        case "run": return run
        case "selftest": return selftest
        case "config": return config
        case "version": return version
        case "can-tunnel": return CANTunnelCommand.help
        case "bcms": return BCMSCommand.help
        case "bcms-daemon": return BCMSDaemonCommand.help
        case "http": return HTTPCommand.help
        case "bmw": return CarDataCommand.help
        case "ota": return ota
        case "supervise": return supervise
        default: return nil
        }
    }
}
