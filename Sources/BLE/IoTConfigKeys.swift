import Runtime
import Store

/// The IoT API submission's settings (`iot.*`, the seed daemon's options), owned by BLE.
///
/// Over MQTT only the submission interval may change (`.remoteSafe()`): never the URL, the
/// token, the identity's certificate, key and CA files, the identifiers, the cache clearing
/// (a short one drops samples) or the memory bound.
public enum IoTConfigKeys {
    public static let url = ConfigKey<String>.url(
        "iot.url",
        help: "The backend application's base URL ({app}); the original's paths /api/iot-devices/... are added (empty: no registration, no submission).")
    public static let submitInterval = ConfigKey<Interval>.duration(
        "iot.submit_s", seconds: 1...86_400, default: 30, help: "Seconds between IoT submissions.").remoteSafe()
    public static let cacheClearInterval = ConfigKey<Interval>.duration(
        "iot.cache_clear_s", seconds: 1...86_400, default: 180,
        help: "Seconds between cache clears: samples of devices no longer approved and devices unseen that long go.")
    public static let token = ConfigKey<String>.text(
        "iot.token", default: "", help: "Bearer token for the IoT API.", secret: true)
    public static let useDeviceIdentity = ConfigKey<Bool>.flag(
        "iot.use_device_identity", default: false,
        help: "Authenticate with the device identity (TLS client certificate iot.cert_file and key iot.key_file), the seed's --use_device_identity.",
        environment: "BCMS_USE_DEVICE_IDENTITY")
    public static let certificateFile = ConfigKey<String>.file(
        "iot.cert_file", help: "Device identity: the TLS client certificate (PEM).")
    public static let keyFile = ConfigKey<String>.file(
        "iot.key_file", help: "Device identity: the TLS client key (PEM).")
    public static let caFile = ConfigKey<String>.file(
        "iot.ca_file", help: "CA bundle for the IoT API instead of the system CAs (a private server).")
    public static let applicationIdentifier = ConfigKey<String>.text(
        "iot.application_identifier", default: "",
        help: "The seed's --application_identifier (the original finds {app} through the identity provider with it; here iot.url is given instead). Not sent.",
        environment: "BCMS_APPLICATION_IDENTIFIER")
    public static let username = ConfigKey<String>.text(
        "iot.username", default: "", help: "The seed's --username (who notifications are for). Kept for the original's flags; not sent.",
        environment: "BCMS_USERNAME")
    public static let capacity = ConfigKey<Int>.integer(
        "iot.capacity", in: 16...1_000_000, default: 10_000,
        help: "Unsent samples kept; beyond it the oldest is dropped (counted on the state topic).")
    public static let timeout = ConfigKey<Int>.integer(
        "iot.timeout_s", in: 1...300, default: 20, help: "Seconds an IoT submission may take.")

    public static var all: [AnyConfigKey] {
        [url.any, submitInterval.any, cacheClearInterval.any, token.any, useDeviceIdentity.any, certificateFile.any,
         keyFile.any, caFile.any, applicationIdentifier.any, username.any, capacity.any, timeout.any]
    }

    /// The rules over several of the keys above (see `ConfigCheck`).
    public static var checks: [ConfigCheck] {
        [
            ConfigCheck([useDeviceIdentity.any, certificateFile.any, keyFile.any]) { store in
                guard store.value(useDeviceIdentity),
                      store.value(certificateFile).isEmpty || store.value(keyFile).isEmpty else { return nil }
                return "the device identity needs its certificate and its key: set iot.cert_file and iot.key_file"
            },
        ]
    }
}
