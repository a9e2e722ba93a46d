/// A key's effective value as people may see it: secrets already masked. What `config get`
/// prints and what `config set` answers (so it can say when the environment still wins).
public struct ConfigEntry: Equatable {
    public let key: AnyConfigKey
    /// The value for display: `***` for a non-empty secret, control characters escaped.
    public let displayValue: String
    public let source: ConfigSource
    /// The value differs from the one the gateway started with, and the key applies only
    /// at a restart (`AnyConfigKey.appliesAtRestart`).
    public var pendingRestart = false

    /// `mqtt.port = 1883  (default)`: one line of `config show`; a key waiting for a restart
    /// ends in `[restart pending]`.
    public var description: String {
        key.name + " = " + displayValue + "  (" + source.name + ")" + (pendingRestart ? "  " + ConfigEntry.pendingMarker : "")
    }

    /// What `description` adds for a key waiting for a restart.
    public static let pendingMarker = "[restart pending]"
}
