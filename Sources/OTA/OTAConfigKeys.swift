import Runtime
import Store

/// The OTA service's settings (`ota.*`), listed for the schema by the service catalogue.
///
/// None is remote-safe: the update door, its trust anchors and its rollback window are the
/// console's and RPC's (over MQTT with `cmnd.allow_privileged`).
public enum OTAConfigKeys {
    public static let enabled = ConfigKey<Bool>.flag(
        "ota.enabled", default: false,
        help: "Whether to accept signed firmware updates over MQTT (switchyard/<node>/ota/...).")
    public static let publicKeys = ConfigKey<[String]>.hexKeys(
        "ota.public_keys", bytes: 32,
        help: "Ed25519 public keys (64 hex digits each, from `switchyard ota keygen`) whose signatures an update may carry.")
    public static let trialInterval = ConfigKey<Interval>.duration(
        "ota.trial_s", seconds: 10...3600, default: 120,
        help: "Seconds a new firmware has to report healthy (broker connected, services started) before the supervisor rolls back.")
        .appliesAtRestart()
    public static let stableInterval = ConfigKey<Interval>.duration(
        "ota.stable_s", seconds: 1...600, default: 30,
        help: "Seconds the gateway must keep running after reporting healthy before that counts: a firmware on trial is "
            + "committed then, and the supervisor's restart backoff starts over only then.")
        .appliesAtRestart()
    // Text, not `identifier`: that kind has no empty value, and no group is the default. The
    // service refuses to start with one that is not a name (it goes into topics).
    public static let group = ConfigKey<String>.text(
        "ota.group",
        help: "Fleet group this gateway belongs to (issue 30): it also takes the signed manifests retained on "
            + "switchyard/fleet/<group>/ota/manifest that name it (`switchyard fleet rollout`); empty for none.")

    /// Every key above, for the schema.
    public static var all: [AnyConfigKey] { [enabled.any, publicKeys.any, trialInterval.any, stableInterval.any, group.any] }
}
