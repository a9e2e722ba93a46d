import Store

/// The seed's working modes: nothing, adverts only, or active scanning plus GATT.
public enum BLEMode: ConfigChoice, Sendable {
    case off
    case passive
    case active

    public static var configChoices: [BLEMode] { [.off, .passive, .active] }
    public var configName: String {
        switch self {
        case .off: return "off"
        case .passive: return "passive"
        case .active: return "active"
        }
    }

    /// Parses a mode name (any case), as `set_mode` takes it.
    public init?(name: String) {
        guard let mode = BLEMode.configChoices.first(where: { $0.configName == name.lowercased() }) else { return nil }
        self = mode
    }
}
