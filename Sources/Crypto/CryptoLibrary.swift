import CCrypto

/// Facts about the linked libcrypto, for `switchyard selftest` and the `state` topic.
public enum CryptoLibrary {
    /// The library's version line, e.g. `OpenSSL 3.0.17 1 Jul 2025`.
    public static var version: String {
        guard let text = OpenSSL_version(OPENSSL_VERSION) else { return "unknown" }
        return String(cString: text)
    }
}
