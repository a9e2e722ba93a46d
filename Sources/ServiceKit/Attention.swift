/// What a service needs from the person near the gateway, reported through its context
/// (`ServiceContext.report(attention:)`). One general concept the features fill in, instead
/// of a flag per feature on the shared types: the gateway shows the highest one of all
/// services on its LED, from one table.
///
/// The order is the LED's: a higher case is shown over every lower one. A failed service
/// (a person must look) outranks an update in progress (do not pull the plug), which
/// outranks a login waiting for its code (act when convenient).
public enum Attention: Int, Comparable, CaseIterable {
    /// Nothing to show: the LED shows the broker connection.
    case none = 0
    /// The gateway's own network link is down (Wi-Fi configured but not joined): the LED says
    /// "not connected", as without a broker, even while the broker answers over another link.
    case notConnected
    /// Waits for a person to act (a cloud login's code to enter).
    case needsPerson
    /// Busy with something a person must not interrupt (a firmware update).
    case updating
    /// Broken and needs a person. A service whose health is `.failed` has it whatever it reported.
    case fault

    public static func < (lhs: Attention, rhs: Attention) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The word the `state` topic and the log show.
    public var name: String {
        switch self {
        case .none: return "none"
        case .notConnected: return "not_connected"
        case .needsPerson: return "needs_person"
        case .updating: return "updating"
        case .fault: return "fault"
        }
    }
}
