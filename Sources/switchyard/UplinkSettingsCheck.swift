import CSupport
import Runtime
import Store
import Uplink

/// The checks the uplink's settings must pass before a session is made from them. Each
/// failure names its key: libmosquitto would only say "Invalid function arguments provided"
/// for a CA file that is not there, and a host name with spaces fails later, over and over,
/// in the name lookup.
enum UplinkSettingsCheck {
    /// What is wrong with the `mqtt.*` settings in `store`; empty when a session can be tried.
    static func problems(in store: ConfigStore) -> [SettingProblem] {
        var problems: [SettingProblem] = []
        // A broker a person asked for (in the environment, an older file) that the store
        // refused: the uplink would run on the default instead, silently.
        for refused in store.refusedValues where refused.key.hasPrefix("mqtt.") {
            problems.append(SettingProblem(key: refused.key, reason: refused.reason))
        }
        // The kinds checked these at `set`; a file can have gone since, and a value from the
        // environment or an older file can predate the checks, so they are asked again here.
        for key in [StandardKeys.mqttHost, StandardKeys.mqttTLSCAFile, StandardKeys.mqttTLSCertificateFile,
                    StandardKeys.mqttTLSKeyFile, StandardKeys.mqttTLSCADirectory] {
            let value = store.string(key)
            if let reason = key.any.kind.pathProblem(value).map({ "cannot read " + value + " (" + $0 + ")" })
                ?? (key.any.kind.canonical(value) == nil ? "\"" + value + "\" is not " + key.any.kind.allowed : nil) {
                problems.append(SettingProblem(key: key.name, reason: reason))
            }
        }
        let certificate = store.string(StandardKeys.mqttTLSCertificateFile)
        let key = store.string(StandardKeys.mqttTLSKeyFile)
        if certificate.isEmpty != key.isEmpty {
            problems.append(SettingProblem(key: certificate.isEmpty ? StandardKeys.mqttTLSCertificateFile.name
                                                                    : StandardKeys.mqttTLSKeyFile.name,
                                           reason: "mqtt.tls.cert_file and mqtt.tls.key_file go together"))
        }
        return problems
    }
}
