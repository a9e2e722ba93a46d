import Runtime
import Store

/// The settings `switchyard supervise` acts on. Read again each time it starts the gateway,
/// so a change saved and followed by `restart` (or a crash) applies without a reboot, as the
/// keys' "takes effect when the gateway starts again" says.
struct SupervisorSettings {
    /// `ota.trial_s`: how long a slot on trial has to report healthy.
    var trial: Interval
    /// `ota.stable_s`: how long a healthy run must last to count.
    var stable: Interval
    /// `watchdog.gateway_silence_s`: silence after which the gateway counts as hung (zero: off).
    var silenceLimit: Interval
    /// `watchdog.timeout_s`: the hardware watchdog's timeout (zero: off).
    var watchdogSeconds: Int

    init(store: ConfigStore) {
        trial = store.value(OTAConfigKeys.trialInterval)
        stable = store.value(OTAConfigKeys.stableInterval)
        silenceLimit = .seconds(Int64(store.value(WatchdogConfigKeys.gatewaySilence)))
        watchdogSeconds = store.value(WatchdogConfigKeys.timeout)
    }
}
