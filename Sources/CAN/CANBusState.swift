/// Where a tunnel's bus stands.
public enum CANBusState: Equatable {
    case closed
    case open
    /// It failed or closed under us; a reopen is scheduled.
    case failed(String)

    public var name: String {
        switch self {
        case .closed: return "closed"
        case .open: return "open"
        case .failed: return "failed"
        }
    }
}
