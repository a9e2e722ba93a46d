import Crypto
import JSON
import Runtime

/// The rotated refresh token, kept in `<data dir>/skoda-token` (mode 0600) and replaced
/// atomically (temp file, fsync, rename, fsync dir): a power cut leaves the old or the new
/// token, never none, and MySkoda's rotated tokens are single-use.
///
/// Not in the config store: a save there would also persist whatever a person has `config
/// set` but not saved, and would restart the service. The file remembers a fingerprint of
/// the configured token it grew from, so a new `skoda.refresh_token` (a fresh login) wins.
struct SkodaTokenFile {
    let path: String

    init(dataDirectory: String) {
        path = dataDirectory + "/skoda-token"
    }

    /// The refresh token to use: the file's, if it grew from `configured`, else `configured`.
    func current(configured: String) -> String {
        guard let bytes = try? FileSystem.read(path, limit: 64 * 1024),
              let document = try? JSONValue.parse(bytes),
              let token = document["refresh_token"]?.stringValue, !token.isEmpty,
              document["seed"]?.stringValue == SkodaTokenFile.fingerprint(configured)
        else { return configured }
        return token
    }

    /// Saves `token` as grown from `configured`.
    func save(_ token: String, configured: String) throws(SkodaError) {
        let document: JSONValue = ["refresh_token": .string(token), "seed": .string(SkodaTokenFile.fingerprint(configured))]
        do throws(RuntimeError) {
            try FileSystem.replaceAtomically(path: path, bytes: Array(document.serialized().utf8), mode: 0o600)
        } catch {
            throw .tokenFile(error.description)
        }
    }

    /// SHA-256 of the configured token, hex: identifies it without storing it twice.
    static func fingerprint(_ token: String) -> String { Hex.encode(SHA256.hash(token)) }
}
