/// Where a key's effective value came from. Layers from lowest to highest precedence:
/// the key's default, the board profile's defaults, the user's saved settings, and the
/// environment.
public enum ConfigSource: Int, Comparable {
    case defaultValue = 0
    case board = 1
    case user = 2
    case environment = 3

    public static func < (lhs: ConfigSource, rhs: ConfigSource) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The word `config show` prints: `default`, `board`, `user`, `env`.
    public var name: String {
        switch self {
        case .defaultValue: return "default"
        case .board: return "board"
        case .user: return "user"
        case .environment: return "env"
        }
    }
}
