import CCurl
import Synchronization

/// Process-wide libcurl setup: `curl_global_init` once, before any other thread exists.
public enum CurlLibrary {
    // An atomic, so a second thread calling this cannot observe a half-set flag; callers
    // still initialise from the main thread before starting others, as the library asks.
    private static let initialised = Atomic<Bool>(false)

    /// Initialises libcurl once; later calls do nothing.
    public static func initialise() -> Bool {
        if initialised.load(ordering: .acquiring) { return true }
        let ok = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
        initialised.store(ok, ordering: .releasing)
        return ok
    }

    /// The linked libcurl version and its TLS backend, e.g. "8.5.0 (OpenSSL/3.0.15)".
    public static var version: String {
        guard let info = sy_curl_version_info() else { return "unknown" }
        var text = info.pointee.version.map { String(cString: $0) } ?? "unknown"
        if let ssl = info.pointee.ssl_version { text += " (" + String(cString: ssl) + ")" }
        return text
    }

    /// Whether this libcurl can speak HTTPS.
    public static var supportsHTTPS: Bool {
        guard let info = sy_curl_version_info() else { return false }
        return Int32(info.pointee.features) & CURL_VERSION_SSL != 0
    }
}
