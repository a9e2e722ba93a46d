import Store

/// The dashboard's settings (`web.*`), listed for the schema by the service catalogue.
///
/// None is remote-safe: the dashboard is a door (address, port, credentials, limits).
public enum WebConfigKeys {
    public static let enabled = ConfigKey<Bool>.flag(
        "web.enabled", default: false,
        help: "Serve the status dashboard (live page, /api/state, /metrics) over HTTP.")
    public static let bind = ConfigKey<String>.ipAddress(
        "web.bind", default: "127.0.0.1", ipv6: true,
        help: "IP address the dashboard listens on; anything but loopback (e.g. 0.0.0.0) needs web.password.")
    public static let port = ConfigKey<Int>.port(
        "web.port", default: 8080,
        help: "TCP port of the dashboard: http://<web.bind>:<web.port>/.")
    public static let username = ConfigKey<String>.text(
        "web.username", default: "admin",
        help: "User name for the dashboard's basic authentication (used when web.password is set).")
    public static let password = ConfigKey<String>.text(
        "web.password",
        help: "Password for the dashboard (HTTP basic auth); empty for none, which only a loopback bind allows.",
        secret: true)
    public static let maxClients = ConfigKey<Int>.integer(
        "web.max_clients", in: 1...4096, default: 16,
        help: "Connections served at once (each open page holds one for its live updates); more are refused.")
    public static let headerTimeoutSeconds = ConfigKey<Int>.integer(
        "web.header_timeout_s", in: 1...300, default: 10,
        help: "Seconds a client has to send a request's headers (from connecting or its previous response); slower ones are closed.")
    public static let updateMilliseconds = ConfigKey<Int>.integer(
        "web.update_ms", in: 100...60_000, default: 1000,
        help: "How often open pages get the state when it changed, in milliseconds.")

    /// Every key above, for the schema.
    public static var all: [AnyConfigKey] {
        [enabled.any, bind.any, port.any, username.any, password.any, maxClients.any, headerTimeoutSeconds.any,
         updateMilliseconds.any]
    }

    /// The rules over several of the keys above (see `ConfigCheck`).
    public static var checks: [ConfigCheck] {
        [
            // The same rule as WebSettings' (loopback is 127.0.0.0/8 or ::1).
            ConfigCheck([bind.any, password.any]) { store in
                let address = store.value(bind)
                guard !address.hasPrefix("127."), address != "::1", store.secretValue(password).isEmpty else { return nil }
                return "a dashboard on " + address + " is reachable from the network: set web.password (or web.bind 127.0.0.1)"
            },
        ]
    }
}
