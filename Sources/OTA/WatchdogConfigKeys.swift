import Store

/// The hardware watchdog the supervisor feeds (issue 27), listed with the OTA service's keys
/// because `switchyard supervise` lives there. Not remote-safe: 0 turns the watchdog off.
public enum WatchdogConfigKeys {
    public static let timeout = ConfigKey<Int>.integer(
        "watchdog.timeout_s", in: 0...60, default: 15,
        help: "Seconds without a sign of life from the supervisor before the board resets (/dev/watchdog; "
            + "the Pi's bcm2835_wdt allows at most 15); 0 leaves the watchdog off. Read by the supervisor before each start of the gateway.")
        .appliesAtRestart()

    public static let gatewaySilence = ConfigKey<Int>.integer(
        "watchdog.gateway_silence_s", in: 0...3600, default: 60,
        help: "Seconds without a heartbeat from the gateway (its run loop blocked, or the process stopped) before "
            + "the supervisor kills and restarts it; when 2 restarts do not bring the heartbeats back, it stops "
            + "feeding the watchdog and the board resets. 0 turns the check off. Read by the supervisor before each start of the gateway.")
        .appliesAtRestart()

    /// Every key above, for the schema.
    public static var all: [AnyConfigKey] { [timeout.any, gatewaySilence.any] }
}
