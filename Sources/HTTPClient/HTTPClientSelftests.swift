import CLI

/// `switchyard selftest`'s check of libcurl as linked into this binary: it initialises and
/// can speak TLS, which every cloud service needs.
public enum HTTPClientSelftests {
    /// The checks `switchyard selftest` runs for this module.
    public static var checks: [SelftestCheck] {[SelftestCheck("curl", run: curl)]}

    static func curl() -> SelftestOutcome {
        guard CurlLibrary.initialise() else { return .failed("curl_global_init failed") }
        guard CurlLibrary.supportsHTTPS else { return .failed("libcurl \(CurlLibrary.version) has no TLS") }
        return .passed("libcurl \(CurlLibrary.version) initialised, HTTPS available")
    }
}
