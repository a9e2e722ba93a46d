import Runtime
import Store

/// The network service's settings: time sync now (`time.*`). None is remote-safe: they
/// name hosts the gateway trusts for its clock.
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

    /// Every key above, for the schema.
    public static var all: [AnyConfigKey] { [enabled.any, timeServers.any, tlsWaits.any, interval.any] }
}
