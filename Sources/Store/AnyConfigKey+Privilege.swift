/// Which settings only a trusted door may change.
///
/// An MQTT broker without ACLs lets anyone publish to `cmnd/set`: were `mqtt.host` or
/// `mqtt.password` settable there, one message could send the gateway (and its password) to
/// another broker. So keys that hold a credential, name an endpoint, or configure a door are
/// privileged: the console and authenticated RPC may change them, MQTT only when
/// `cmnd.allow_privileged` says so, and every change is logged (without the value).
extension AnyConfigKey {
    /// Doors, the connection and the trust anchors the gateway relies on: every key under these prefixes.
    static let privilegedPrefixes = ["mqtt.", "http.", "rpc.", "console.", "cmnd.", "web.", "ota."]
    /// Last name parts that name an endpoint in any service (`bmw.mqtt_host`, `iot.url`,
    /// `ble.mgmt_socket`: the gateway hands stored pairing keys to whatever listens there).
    static let endpointSuffixes = ["host", "port", "url", "endpoint", "broker", "socket"]

    /// Whether changing this key changes a credential, an endpoint or a door.
    public var isPrivileged: Bool {
        if isSecret { return true }
        if case .host = kind { return true }
        for prefix in AnyConfigKey.privilegedPrefixes where name.hasPrefix(prefix) { return true }
        let last = name.split(separator: ".").last.map(String.init) ?? name
        for suffix in AnyConfigKey.endpointSuffixes where last == suffix || last.hasSuffix("_" + suffix) {
            return true
        }
        return false
    }
}
