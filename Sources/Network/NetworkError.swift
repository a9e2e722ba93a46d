/// Why time sync or Wi-Fi could not do something; each renders as one line.
public enum NetworkError: Error, Equatable {
    /// An SNTP reply that is not believed (short, wrong mode, unsynchronised server, not ours).
    case badReply(String)
    /// A server setting that is not `host` or `host:port`.
    case badServer(String)
    /// A `wifi.*` setting that wpa_supplicant could not use; never quotes the passphrase.
    case badWifiSetting(key: String, reason: String)
    /// A system call failed.
    case system(String)

    /// One line for the log and the console.
    public var description: String {
        switch self {
        case .badReply(let why): return "SNTP reply dropped: " + why
        case .badServer(let text): return "time server " + text + ": expected host or host:port"
        case .badWifiSetting(let key, let reason): return key + ": " + reason
        case .system(let what): return what
        }
    }
}
