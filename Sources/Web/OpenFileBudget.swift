import CSupport

/// `web.max_clients` against the process's open-file limit (RLIMIT_NOFILE): each dashboard
/// connection is one descriptor, and the rest of the gateway (broker, RPC door, serial
/// ports, CAN, HTTP requests, config saves) needs its own. A limit the dashboard's clients
/// could use up would make those fail with EMFILE instead of the dashboard refusing one
/// more client, which it does cleanly and counts.
///
/// At start the soft limit is raised towards the hard one when the clients need more
/// (the gateway waits in poll and epoll, never select, so a high limit costs nothing);
/// if even that is too little, the client count is lowered to what fits, with a warning.
/// Lowered rather than refused: a status page serving fewer clients is worth more than
/// none, and the cap it then enforces is one the system can honour.
enum OpenFileBudget {
    /// Descriptors kept for everything but the dashboard's clients (its own listener and
    /// epoll descriptor included). The gateway holds a few dozen at most: RPC's 16 clients,
    /// up to 16 HTTP requests, the broker, devices, signal and wake-up descriptors.
    static let reserved = 128

    /// What the limit allows.
    struct Outcome: Equatable {
        /// Clients the dashboard serves at once: `wanted`, or fewer when the limit is too low.
        let clients: Int
        /// The soft open-file limit now (after raising it), or -1 when it is unlimited.
        let limit: Int
        /// Whether the soft limit was raised to make room.
        let raised: Bool
        /// The limit the start found, when it was raised.
        let previousLimit: Int
    }

    /// Checks `wanted` clients (plus `reserved`) against RLIMIT_NOFILE, raising the soft
    /// limit up to the hard one if that is needed and allowed.
    static func clients(wanted: Int) -> Outcome {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            // Cannot tell: the kernel's own EMFILE stays the backstop, as before.
            return Outcome(clients: wanted, limit: -1, raised: false, previousLimit: -1)
        }
        let needed = rlim_t(wanted + reserved)
        // RLIM_INFINITY is all ones (a macro Swift imports as an overflowing literal).
        let infinite = rlim_t.max
        if limit.rlim_cur == infinite || limit.rlim_cur >= needed {
            return Outcome(clients: wanted, limit: shown(limit.rlim_cur), raised: false, previousLimit: -1)
        }
        let previous = limit.rlim_cur
        let target = limit.rlim_max == infinite ? needed : min(needed, limit.rlim_max)
        if target > previous {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let room = limit.rlim_cur > rlim_t(reserved) ? Int(limit.rlim_cur - rlim_t(reserved)) : 0
        return Outcome(clients: max(1, min(wanted, room)), limit: shown(limit.rlim_cur),
                       raised: limit.rlim_cur > previous, previousLimit: shown(previous))
    }

    private static func shown(_ value: rlim_t) -> Int {
        value == rlim_t.max || value > rlim_t(Int.max) ? -1 : Int(value)
    }
}
