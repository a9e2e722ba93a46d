import CSupport

/// Where the gateway keeps its saved settings and spools.
public enum DataDirectory {
    /// Where the data lives unless `--data` or `$SWITCHYARD_DATA` says otherwise.
    public static let fallback = "/var/lib/switchyard"

    /// `--data DIR`, else `$SWITCHYARD_DATA`, else /var/lib/switchyard.
    public static func resolve(_ option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let fromEnvironment = getenv("SWITCHYARD_DATA") {
            let text = String(cString: fromEnvironment)
            if !text.isEmpty { return text }
        }
        return fallback
    }
}
