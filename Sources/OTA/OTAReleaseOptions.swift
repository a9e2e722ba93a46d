import CLI

/// The options every signing command takes (`ota push`, `ota sign`, `fleet rollout`):
/// `--file`, `--key`, `--version`, `--chunk-size`, `--expires`. Parsed in one place so the
/// commands accept the same spellings and say the same things about a bad value.
struct OTAReleaseOptions {
    let file: String
    let keyPath: String
    /// The version to sign for, when the image carries no stamp (or another is meant).
    let version: String?
    let chunkSize: Int
    /// Seconds the signed manifest stays valid.
    let validity: Int

    /// `action` names the command in a message (`push needs --file IMAGE`).
    init(_ parsed: Arguments, action: String, defaultChunkSize: Int, defaultExpiry: String) throws(UsageError) {
        guard let file = parsed.value("--file") else { throw UsageError("\(action) needs --file IMAGE") }
        guard let key = parsed.value("--key") else { throw UsageError("\(action) needs --key KEYFILE (from `ota keygen`)") }
        self.file = file
        keyPath = key
        version = parsed.value("--version")
        let chunkText = parsed.value("--chunk-size") ?? String(defaultChunkSize)
        guard let chunk = Int(chunkText), OTAManifest.chunkSizes.contains(chunk) else {
            throw UsageError("--chunk-size \(chunkText): \(OTAManifest.chunkSizes.lowerBound) to \(OTAManifest.chunkSizes.upperBound) bytes")
        }
        chunkSize = chunk
        let expiresText = parsed.value("--expires") ?? defaultExpiry
        guard let validity = OTAPush.duration(expiresText), validity >= 60 && validity <= 365 * 86400 else {
            throw UsageError("--expires \(expiresText): a duration from 1m to 365d, like 3600, 90m, 24h or 7d")
        }
        self.validity = validity
    }
}
