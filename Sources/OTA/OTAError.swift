import Runtime

/// Everything the OTA module can fail with. Each case reads as the reason on the
/// `ota/status` topic: what was refused and why, never a key or a secret.
public enum OTAError: Error, Equatable {
    /// A manifest that does not parse or has a field out of range; `reason` names the field.
    case invalidManifest(String)
    /// An image or manifest that parsed but must not be installed (signature, architecture,
    /// version, size, digest); `reason` says which check failed.
    case refused(String)
    /// The state record or a transfer record cannot be used.
    case invalidRecord(path: String, reason: String)
    /// A file operation on the data partition failed.
    case io(RuntimeError)
    /// A record an update depends on (the A/B state record, a transfer's records) could not
    /// be written at `path`: the update stops and the running firmware stays.
    case recordNotWritten(path: String, reason: String)

    /// One line for the status topic, a log or a console.
    public var description: String {
        switch self {
        case .invalidManifest(let reason): return "invalid manifest: " + reason
        case .refused(let reason): return reason
        case .invalidRecord(let path, let reason): return path + ": " + reason
        case .io(let error): return error.description
        case .recordNotWritten(let path, let reason):
            return "cannot write " + path + " (" + reason + "): the update is stopped and the running firmware "
                + "stays. The data partition may be full or read-only: free space or make it writable, then push "
                + "the update again"
        }
    }
}
