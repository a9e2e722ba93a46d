import CLI
import Crypto

/// What `ota push`, `ota sign` and `fleet rollout` all start from: the signing key, the image
/// file with its architecture and version, checked to fit a manifest. Each command used to do
/// these checks itself; one place keeps their messages and limits the same.
struct OTAReleaseInput {
    let key: Ed25519.PrivateKey
    let image: OTAImageFile
    let architecture: String
    let version: OTAVersion
    /// The version as given or stamped, for messages.
    let versionText: String

    /// Loads and checks; on a problem prints it as `switchyard <command>: ...` and returns nil.
    init?(command: String, file: String, keyPath: String, version: String?, chunkSize: Int) {
        guard let key = OTACommand.loadKey(keyPath) else {
            Output.error("switchyard \(command): \(keyPath) is not a key file from `switchyard ota keygen`")
            return nil
        }
        let image: OTAImageFile
        do throws(OTAError) { image = try OTAImageFile(path: file) } catch {
            Output.error("switchyard \(command): \(file): \(error.description)")
            return nil
        }
        guard let architecture = image.architecture else {
            Output.error("switchyard \(command): \(file) is not an ELF executable")
            return nil
        }
        guard let versionText = version ?? image.stampedVersion, let parsed = OTAVersion(versionText) else {
            Output.error("switchyard \(command): \(file) has no version stamp; say which version it is with --version X.Y.Z")
            return nil
        }
        guard image.size <= OTAManifest.maxImageSize else {
            Output.error("switchyard \(command): \(file) is larger than \(OTAManifest.maxImageSize) bytes")
            return nil
        }
        guard (image.size + chunkSize - 1) / chunkSize <= OTAManifest.maxChunks else {
            Output.error("switchyard \(command): \(file) would travel in more than \(OTAManifest.maxChunks) chunks of "
                + "\(chunkSize) bytes; use a larger --chunk-size")
            return nil
        }
        self.key = key
        self.image = image
        self.architecture = architecture
        self.version = parsed
        self.versionText = versionText
    }
}
