/// Which copy of the saved settings a store is running on, for `config status` and tests.
public enum ConfigLoadOutcome: Equatable {
    /// No file yet (first boot): defaults, and nothing to worry about.
    case noFile
    /// `<data dir>/config` was read and its checksum verified.
    case current
    /// `config` was missing or unusable; the last good copy `config.prev` was used.
    case lastGoodCopy
    /// A file existed but neither it nor a last good copy was usable: defaults.
    case defaultsAfterFailure

    /// A word for status output: `none`, `current`, `last-good-copy`, `defaults-after-failure`.
    public var name: String {
        switch self {
        case .noFile: return "none"
        case .current: return "current"
        case .lastGoodCopy: return "last-good-copy"
        case .defaultsAfterFailure: return "defaults-after-failure"
        }
    }
}
