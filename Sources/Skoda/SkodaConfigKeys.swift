import Runtime
import Store

/// The Skoda service's settings (`skoda.*`), listed for the schema by the service catalogue.
///
/// None is remote-safe: each names an identity, a credential, an endpoint, a trust anchor,
/// the TLS switch or what is published where; over MQTT they need `cmnd.allow_privileged`.
public enum SkodaConfigKeys {
    public static let enabled = ConfigKey<Bool>.flag(
        "skoda.enabled", default: false,
        help: "Whether to subscribe to the MySkoda cloud's push events and republish them decoded.")
    public static let userID = ConfigKey<String>.uuid(
        "skoda.user_id",
        help: "Your MySkoda user id (a UUID): the broker user name and the first level of its topics.")
    public static let vins = ConfigKey<[String]>.list(
        "skoda.vins",
        help: "Vehicle identification numbers to follow, comma-separated; empty follows every car (+).")
    public static let refreshToken = ConfigKey<String>.text(
        "skoda.refresh_token",
        help: "MySkoda refresh token (from the app login); rotated tokens are kept in the data directory.",
        secret: true)
    public static let fcmToken = ConfigKey<String>.text(
        "skoda.fcm_token",
        help: "The Firebase push token the TOTP login code is derived from (Home Assistant stores it as fcm_token).",
        secret: true)
    public static let refreshURL = ConfigKey<String>.url(
        "skoda.refresh_url",
        default: "https://mysmob.api.connect.skoda-auto.cz/api/v1/authentication/refresh-token?tokenType=CONNECT",
        help: "Token refresh endpoint of the MySkoda API.")
    public static let mqttHost = ConfigKey<String>.host(
        "skoda.mqtt_host", default: "mqtt.messagehub.de",
        help: "Host of the MySkoda push broker.")
    public static let mqttPort = ConfigKey<Int>.port(
        "skoda.mqtt_port", default: 8883,
        help: "TCP port of the MySkoda push broker.")
    public static let mqttTLS = ConfigKey<Bool>.flag(
        "skoda.mqtt_tls", default: true,
        help: "Whether to use TLS to the push broker (off only for a local test broker).")
    public static let mqttCAFile = ConfigKey<String>.file(
        "skoda.mqtt_ca_file",
        help: "PEM CA file for the push broker; empty trusts the system CAs in /etc/ssl/certs.")
    public static let discovery = ConfigKey<Bool>.flag(
        "skoda.discovery", default: true,
        help: "Whether to publish Home Assistant discovery for the car's values.")
    public static let discoveryPrefix = ConfigKey<String>.topic(
        "skoda.discovery_prefix", default: "homeassistant",
        help: "Home Assistant's discovery topic prefix.")

    /// Every key above, for the schema.
    public static var all: [AnyConfigKey] {
        [enabled.any, userID.any, vins.any, refreshToken.any, fcmToken.any, refreshURL.any, mqttHost.any,
         mqttPort.any, mqttTLS.any, mqttCAFile.any, discovery.any, discoveryPrefix.any]
    }

    /// The rules over several of the keys above (see `ConfigCheck`).
    public static var checks: [ConfigCheck] {
        [
            ConfigCheck([enabled.any, userID.any]) { store in
                store.value(enabled) && store.value(userID).isEmpty
                    ? "the push events need your MySkoda user id: set skoda.user_id" : nil
            },
        ]
    }
}
