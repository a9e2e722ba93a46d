import Runtime
import Store

/// The network service's settings: time sync (`time.*`) and Wi-Fi (`wifi.*`). None is
/// remote-safe: they name hosts the gateway trusts for its clock, or the network it joins.
public enum NetworkConfigKeys {
    public static let enabled = ConfigKey<Bool>.flag(
        "network.enabled", default: false,
        help: "Synchronise the clock (SNTP against time.servers and the DHCP lease's servers); TLS connections wait for it. The SD image's board profiles turn it on.")
    public static let timeServers = ConfigKey<[String]>.list(
        "time.servers", default: ["0.pool.ntp.org", "1.pool.ntp.org", "2.pool.ntp.org"],
        help: "NTP servers, host or host:port (IPv4), comma-separated; the DHCP lease's servers are asked too.",
        environment: "SWITCHYARD_TIME_SERVERS")
    public static let tlsWaits = ConfigKey<Bool>.flag(
        "time.tls_waits", default: false,
        help: "Hold TLS connections (broker, car clouds, IoT API, HTTPS) until the clock is synchronised: for boards "
            + "without a real-time clock; the SD image's board profiles turn it on.")
    public static let interval = ConfigKey<Interval>.duration(
        "time.interval_s", seconds: 60...86_400, default: 3600,
        help: "How often the clock is checked again once synchronised (60 s to 1 day).")

    public static let wifiSSID = ConfigKey<String>.wifi(
        "wifi.ssid", .wifiSSID, help: "Wi-Fi network name (1 to 32 bytes); empty: no Wi-Fi. Applies at save, on boards with wlan0.")
    public static let wifiPSK = ConfigKey<String>.wifi(
        "wifi.psk", .wifiPassphrase, help: "Wi-Fi WPA2 passphrase (8 to 63 printable ASCII characters) or 64 hex digits; empty: an open network.",
        secret: true)
    public static let wifiCountry = ConfigKey<String>.wifi(
        "wifi.country", .countryCode, default: "DE", help: "Wi-Fi regulatory country, ISO 3166 alpha-2 (DE, GB, US): which channels may be used.")
    public static let wifiHidden = ConfigKey<Bool>.flag(
        "wifi.hidden", default: false, help: "The Wi-Fi network does not broadcast its name: probe for it by name.")

    public static let wifiInterface = ConfigKey<String>.identifier(
        "wifi.interface", default: "wlan0", help: "The Wi-Fi interface wpa_supplicant and udhcpc run on (wlan1 for a USB dongle beside the onboard radio).")
    public static let wifiRunDirectory = ConfigKey<String>.text(
        "wifi.run_directory", default: "/run/switchyard",
        help: "Where wpa_supplicant's configuration (mode 0600: it holds the passphrase) and its control socket go; keep it in RAM.")

    /// Every key above, for the schema.
    public static var all: [AnyConfigKey] {
        [enabled.any, timeServers.any, tlsWaits.any, interval.any, wifiSSID.any, wifiPSK.any, wifiCountry.any, wifiHidden.any,
         wifiInterface.any, wifiRunDirectory.any]
    }
}
