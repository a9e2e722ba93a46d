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
        if store.value(StandardKeys.mqttTransport) == .websockets {
            problems.append(SettingProblem(key: StandardKeys.mqttTransport.name,
                                           reason: "websockets is not supported: use tcp"))
        }
        let host = store.string(StandardKeys.mqttHost)
        if !isHostName(host) && !isAddressLiteral(host) {
            problems.append(SettingProblem(key: StandardKeys.mqttHost.name,
                                           reason: "\"" + host + "\" is neither a host name nor an IP address"))
        }
        for key in [StandardKeys.mqttTLSCAFile, StandardKeys.mqttTLSCertificateFile, StandardKeys.mqttTLSKeyFile] {
            let path = store.string(key)
            if !path.isEmpty && access(path, R_OK) != 0 {
                problems.append(SettingProblem(key: key.name, reason: "cannot read " + path + " ("
                    + Errno.current.description + ")"))
            }
        }
        let directory = store.string(StandardKeys.mqttTLSCADirectory)
        if !directory.isEmpty && access(directory, R_OK | X_OK) != 0 {
            problems.append(SettingProblem(key: StandardKeys.mqttTLSCADirectory.name,
                                           reason: "cannot read the directory " + directory))
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

    /// A DNS name: dot-separated labels of letters, digits and inner hyphens, 1-63 bytes
    /// each, 253 in all (RFC 1123).
    static func isHostName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty && bytes.count <= 253 else { return false }
        var label = 0
        var previous: UInt8 = 0x2E
        for byte in bytes {
            switch byte {
            case 0x2E:
                if label == 0 || previous == 0x2D { return false }
                label = 0
            case 0x2D:
                if label == 0 { return false }
                label += 1
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A:
                label += 1
            default:
                return false
            }
            if label > 63 { return false }
            previous = byte
        }
        return previous != 0x2D
    }

    /// An IPv4 or IPv6 address literal (`inet_pton` decides).
    static func isAddressLiteral(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 { return true }
        return inet_pton(AF_INET6, text, &buffer) == 1
    }
}
