/// Everything the Crypto module can fail with. A digest that libcrypto cannot compute is not
/// here: that means memory is gone or the library is broken, and the wrappers trap instead.
public enum CryptoError: Error, Equatable {
    /// Text that is not an even number of hex digits; `reason` says where it went wrong.
    case invalidHex(reason: String)
    /// The random generator could not be seeded (no entropy source yet); try again later.
    case randomUnavailable
    /// Key bytes libcrypto refuses (wrong length for the key type); `reason` says which.
    case invalidKey(reason: String)

    /// One line for a log or a console.
    public var description: String {
        switch self {
        case .invalidHex(let reason):
            return "invalid hex: " + reason
        case .randomUnavailable:
            return "secure random bytes unavailable (RAND_bytes failed: no entropy source)"
        case .invalidKey(let reason):
            return "invalid key: " + reason
        }
    }
}
