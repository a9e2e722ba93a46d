/// Where an update stands, as `ota/status` and the `state` block name it (`name`). The
/// service keeps this, never the text: the text is printed at the edge and parsed back
/// only by the sender (`OTASender`), which ignores names it does not know.
public enum OTAState: Equatable, CaseIterable {
    /// Nothing under way; the running firmware is the factory one, or its state is unknown.
    case idle
    /// Chunks are arriving into the inactive slot.
    case receiving
    /// The image is complete and being checked.
    case verifying
    /// Checked and installed on trial; the gateway restarts into it.
    case installed
    /// The running firmware is new, and the supervisor has not committed it yet.
    case trial
    /// The running firmware passed its trial.
    case committed
    /// A manifest or image was not taken (signature, version, digest...); `reason` says why.
    case refused
    /// The gateway could not carry an update through (disk, record, abort); `reason` says why.
    case failed
    /// The new firmware failed its trial and the supervisor went back.
    case rolledBack

    /// The word on `ota/status`.
    public var name: String {
        switch self {
        case .idle: return "idle"
        case .receiving: return "receiving"
        case .verifying: return "verifying"
        case .installed: return "installed"
        case .trial: return "trial"
        case .committed: return "committed"
        case .refused: return "refused"
        case .failed: return "failed"
        case .rolledBack: return "rolled_back"
        }
    }

    /// The state `name` names; nil for a word this firmware does not know.
    public init?(name: String) {
        guard let state = OTAState.allCases.first(where: { $0.name == name }) else { return nil }
        self = state
    }
}
