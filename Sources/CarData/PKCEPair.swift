import Crypto

/// A PKCE verifier and its S256 challenge (RFC 7636), as BMW's device flow wants them:
/// verifier = base64url(32 random bytes), challenge = base64url(SHA-256(verifier)), unpadded.
public struct PKCEPair: Equatable {
    public let verifier: String
    public let challenge: String

    /// The pair for a given verifier (tests use RFC 7636's example).
    public init(verifier: String) {
        self.verifier = verifier
        challenge = Base64.encodeURL(SHA256.hash(verifier))
    }

    /// A fresh pair from the system's secure random generator.
    public static func generate() throws(CryptoError) -> PKCEPair {
        PKCEPair(verifier: Base64.encodeURL(try SecureRandom.bytes(32)))
    }
}
