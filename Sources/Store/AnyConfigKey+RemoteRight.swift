/// Which doors may change a setting.
///
/// An MQTT broker without ACLs lets anyone who can reach it publish to `cmnd/set`. So the
/// MQTT door may change a key only when the key's own declaration says so (`remoteSafe()`):
/// a new key is closed to it until someone decides otherwise. Every other key (credentials,
/// paths, devices, endpoints, trust anchors, identities, TLS switches, doors, `*.enabled`)
/// needs the console, authenticated RPC, or MQTT with `cmnd.allow_privileged` on.
///
/// The module that owns a key declares its right beside it; the store guesses nothing from
/// names, so it holds no list of features or prefixes.
extension AnyConfigKey {
    /// Whether changing this key needs a trusted door (every key not declared remote-safe):
    /// such changes are logged with the key and the door, never the value.
    public var isPrivileged: Bool { !isRemoteSafe }

    /// The rule in one sentence, for the end of a key listing.
    public static let remoteRule = "Keys marked \"" + remoteMarker + "\" may be changed through the MQTT cmnd topics; "
        + "every other key only on the console, over RPC, or over MQTT with cmnd.allow_privileged on."

    /// Whether `kind` is one a remote-safe key may have: bounded numbers, durations, flags and
    /// choices, which the kind validates completely. Free text, lists, topics and hosts are
    /// checked only by the service that uses them (a bad filter stops it), or name something.
    public static func kindMayBeRemoteSafe(_ kind: ConfigKind) -> Bool {
        switch kind {
        case .integer, .boolean, .choice, .duration, .powerOfTwo, .integerChoice: return true
        case .string, .identifier, .list, .host, .topic, .ipAddress, .path, .url, .uuid, .hexList, .macList, .macPairs,
             .canFilters, .wifiSSID, .wifiPassphrase, .countryCode:
            return false
        }
    }

    /// This key, open to the MQTT door (see `ConfigKey.remoteSafe()`).
    func remoteSafe() -> AnyConfigKey {
        precondition(!isSecret, "a secret config key is never remote-safe: " + name)
        precondition(AnyConfigKey.kindMayBeRemoteSafe(kind),
                     "config key " + name + ": only numbers, durations, flags and choices may be remote-safe")
        var open = self
        open.isRemoteSafe = true
        return open
    }
}

extension ConfigKey {
    /// Declares this key safe to change over MQTT without `cmnd.allow_privileged`.
    ///
    /// Only for tuning knobs whose every allowed value is harmless: how often or how much the
    /// gateway publishes of what it already publishes (intervals, thresholds). Never for a
    /// secret, a path, device, adapter, port, host, URL, socket, trust anchor, identity, TLS
    /// switch, door, `*.enabled` switch, or a limit on memory (traps at start if the kind is
    /// free text).
    public func remoteSafe() -> ConfigKey<Value> {
        ConfigKey(any.remoteSafe(), decode: decode)
    }
}
