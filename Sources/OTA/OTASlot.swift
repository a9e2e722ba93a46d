/// Where a firmware binary lives: one of the two slots on the data partition, or the binary
/// the image shipped with (the last resort, never written by an update).
public enum OTASlot: Equatable {
    case a
    case b
    case factory

    public var name: String {
        switch self {
        case .a: return "a"
        case .b: return "b"
        case .factory: return "factory"
        }
    }

    public init?(name: String) {
        switch name {
        case "a": self = .a
        case "b": self = .b
        case "factory": self = .factory
        default: return nil
        }
    }

    /// The slot an update goes to while this one runs (the factory binary updates into `a`).
    public var inactive: OTASlot {
        switch self {
        case .a: return .b
        case .b, .factory: return .a
        }
    }
}

/// What is known of one slot's content.
public struct OTASlotInfo: Equatable {
    /// `empty`, `receiving` (partly written: never bootable), `trial` (installed, on trial),
    /// `good` (committed), `bad` (failed its trial).
    public enum Status: String, Equatable {
        case empty, receiving, trial, good, bad
    }

    public var status: Status
    public var version: String
    public var sha256: String

    public init(status: Status = .empty, version: String = "", sha256: String = "") {
        self.status = status
        self.version = version
        self.sha256 = sha256
    }

    /// Whether the supervisor may start it.
    public var isBootable: Bool { status == .trial || status == .good }
}
