import CLI
import Runtime

/// `switchyard selftest`'s check of libcrypto as linked into this binary: the digests and
/// the Ed25519 signatures OTA manifests need.
public enum CryptoSelftests {
    /// The checks `switchyard selftest` runs for this module.
    public static var checks: [SelftestCheck] {[SelftestCheck("openssl", run: openssl)]}

    static func openssl() -> SelftestOutcome {
        let digest = Hex.encode(SHA256.hash(Array("abc".utf8)))
        guard digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" else {
            return .failed("SHA-256(\"abc\") came out as \(digest)")
        }
        // RFC 8032 7.1 test 2: OTA manifests need Ed25519, which a lean libcrypto could lack.
        let seed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
        guard let key = try? Ed25519.PrivateKey(seed: Hex.decode(seed)) else {
            return .failed("libcrypto refuses Ed25519 keys (built without Ed25519?)")
        }
        let signature = key.sign([0x72])
        guard Hex.encode(signature).hasPrefix("92a009a9f0d4cab8"), key.publicKey.verify(signature, of: [0x72]) else {
            return .failed("Ed25519 RFC 8032 vector does not match")
        }
        return .passed("\(CryptoLibrary.version), SHA-256 and Ed25519 vectors match")
    }
}
