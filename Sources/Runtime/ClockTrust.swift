/// Whether the wall clock can be trusted for certificate validity. A board without a
/// real-time clock boots at its last saved time or the image's build time; a TLS handshake
/// then fails with "certificate is not yet valid" and its client backs off into long delays.
/// The time service (Network) says `.waiting` until its first synchronisation; TLS clients
/// (the broker uplink, HTTPS) ask `allowsTLS` before connecting and wait instead of failing.
/// Read and written on the run loop's thread only.
public enum ClockTrust {
    /// Where the wall clock stands.
    public enum State: Equatable, Sendable {
        /// Nothing synchronises the clock here (a host build, time sync off): trusted as it is.
        case unmanaged
        /// Time sync runs and has not succeeded yet: TLS waits.
        case waiting
        /// Time sync succeeded at least once since the gateway started.
        case synchronised

        /// How `state` and the log print it.
        public var name: String {
            switch self {
            case .unmanaged: return "unmanaged"
            case .waiting: return "waiting"
            case .synchronised: return "synchronised"
            }
        }
    }

    nonisolated(unsafe) public private(set) static var state = State.unmanaged

    /// Whether a TLS connection may start now.
    public static var allowsTLS: Bool { state != .waiting }

    /// Set by the time service only.
    public static func set(_ new: State) { state = new }
}
