import Runtime
import Store

/// The BMW CarData service's settings (`bmw.*`), with the seed's environment names.
///
/// None is remote-safe: each names an identity, an endpoint, a trust anchor, a file, what
/// is logged or published where, or the login; over MQTT they need `cmnd.allow_privileged`.
public enum CarDataConfigKeys {
    public static let enabled = ConfigKey<Bool>.flag(
        "bmw.enabled", default: false,
        help: "Whether to stream the car's data from BMW CarData and republish it locally (run `switchyard bmw login` once).")
    public static let clientID = ConfigKey<String>.uuid(
        "bmw.client_id",
        help: "Your CarData client ID (a UUID from the BMW customer portal, CarData section).", environment: "BMW_CLIENT_ID")
    public static let vins = ConfigKey<[String]>.list(
        "bmw.vin",
        help: "VINs to subscribe to, comma-separated; empty subscribes to every vehicle of the account (<gcid>/+).",
        environment: "BMW_VIN")
    public static let mqttHost = ConfigKey<String>.host(
        "bmw.mqtt_host", default: "customer.streaming-cardata.bmwgroup.com",
        help: "BMW's streaming broker.", environment: "BMW_MQTT_HOST")
    public static let mqttPort = ConfigKey<Int>.port(
        "bmw.mqtt_port", default: 9000, help: "BMW's streaming broker port (TLS).", environment: "BMW_MQTT_PORT")
    public static let mqttCAFile = ConfigKey<String>.file(
        "bmw.mqtt_ca_file",
        help: "CA file for the streaming broker; empty uses the system's CAs (set only for a test broker).")
    public static let authURL = ConfigKey<String>.url(
        "bmw.auth_url", default: "https://customer.bmwgroup.com/gcdm/oauth",
        help: "BMW's OAuth base URL (device/code and token live under it); change only for a test server.")
    public static let catalogueURL = ConfigKey<String>.url(
        "bmw.catalogue_url", default: "https://www.bmw.co.uk/en-gb/utilities/bmw/api/cd/catalogue",
        help: "BMW's public data catalogue (names and units of the streamed values).")
    public static let httpCAFile = ConfigKey<String>.file(
        "bmw.http_ca_file", help: "CA file for the OAuth and catalogue servers; empty uses the system's CAs.")
    public static let tokenFile = ConfigKey<String>.text(
        "bmw.token_file",
        help: "A bmw_tokens.json of the Python CarData client to import the login from and keep up to date; empty: none.",
        environment: "BMW_TOKEN_FILE")
    public static let topic = ConfigKey<String>.topic(
        "bmw.topic", default: "bmw",
        help: "Prefix for BMW's JSON republished unchanged as <prefix>/<VIN> (Home Assistant's CarData custom broker mode).")
    public static let discovery = ConfigKey<Bool>.flag(
        "bmw.ha_discovery", default: true, help: "Whether to publish Home Assistant discovery for car values that arrived.")
    public static let discoveryPrefix = ConfigKey<String>.topic(
        "bmw.discovery_prefix", default: "homeassistant", help: "Home Assistant's discovery topic prefix.")
    public static let sessionExpiry = ConfigKey<Interval>.duration(
        "bmw.session_expiry_s", seconds: 0...3600, default: 0,
        help: "0: clean start, as BMW documents it. More: ask BMW's broker to keep the session that long, so QoS 1 messages sent while the stream reconnects with a fresh token are delivered after it.")
    public static let logRaw = ConfigKey<Bool>.flag(
        "bmw.log_raw", default: false,
        help: "Log each stream message as raw JSON instead of readable lines (the seed's --log-raw-messages).")

    // Written by the service itself (login, refresh), never by hand: in the schema so they are
    // saved with the config (as secrets), but not watched, so a refresh does not restart it.
    public static let refreshToken = ConfigKey<String>.text(
        "bmw.refresh_token", help: "Set by `bmw login`: the OAuth refresh token.", secret: true)
    public static let refreshExpires = ConfigKey<String>.text(
        "bmw.refresh_expires", help: "Set by `bmw login`: when the refresh token expires (Unix seconds).")
    public static let gcid = ConfigKey<String>.text(
        "bmw.gcid", help: "Set by `bmw login`: the account's gcid (the stream's username).", secret: true)
    public static let scope = ConfigKey<String>.text(
        "bmw.scope", help: "Set by `bmw login`: the scopes granted.", secret: true)

    /// The settings: a change restarts the service.
    public static var all: [AnyConfigKey] {
        [enabled.any, clientID.any, vins.any, mqttHost.any, mqttPort.any, mqttCAFile.any, authURL.any,
         catalogueURL.any, httpCAFile.any, tokenFile.any, topic.any, discovery.any, discoveryPrefix.any, logRaw.any, sessionExpiry.any]
    }

    /// The login the service keeps itself.
    public static var stored: [AnyConfigKey] { [refreshToken.any, refreshExpires.any, gcid.any, scope.any] }

    /// The rules over several of the keys above (see `ConfigCheck`).
    public static var checks: [ConfigCheck] {
        [
            ConfigCheck([enabled.any, clientID.any]) { store in
                store.value(enabled) && store.value(clientID).isEmpty
                    ? "the stream needs your CarData client ID: set bmw.client_id (BMW customer portal > CarData)" : nil
            },
        ]
    }
}
