import Runtime

/// Whether the supervised gateway is still alive, judged by its heartbeats (issue 27),
/// without processes: when it has been silent past `limit`, the supervisor kills and
/// restarts it; when restarts do not bring the heartbeats back, it stops feeding the
/// hardware watchdog and the board resets.
///
/// A child is watched only once it has sent one heartbeat: a firmware from before the
/// heartbeat (a rolled-back slot) writes its healthy line and nothing else, and must not be
/// taken for a hung one. A child counts as recovered once it is still beating `limit` after
/// its start, so a gateway that beats once at start-up and then hangs keeps counting.
public struct GatewaySilence {
    /// Silent gateways killed in a row before the supervisor stops feeding the watchdog.
    public static let restartsBeforeReset = 2

    /// Silence after which the gateway counts as hung; zero turns the check off.
    public let limit: Interval
    private var startedAt: Instant?
    private var lastBeat: Instant?
    /// Gateways killed for silence since the last one that recovered.
    public private(set) var silentKills = 0

    /// What the supervisor does about the current child.
    public enum Verdict: Equatable {
        /// Beating, not watched (no heartbeat yet, or the check is off), or no child.
        case alive
        /// Silent for this long: kill it and restart it within the normal backoff.
        case restart(silent: Interval)
        /// Silent for this long after `restartsBeforeReset` restarts that did not help: kill
        /// and restart it still, but stop feeding the watchdog.
        case reset(silent: Interval)
    }

    public init(limit: Interval) { self.limit = limit }

    /// The period the supervisor asks the gateway to beat at: four beats per limit, so one
    /// late beat is not taken for a hang; within what the gateway accepts.
    public var heartbeatPeriod: Interval {
        .milliseconds(min(max(limit.milliseconds / 4, 100), 60_000))
    }

    /// Whether the watchdog should be fed: not once restarts have not helped.
    public var feedsWatchdog: Bool { silentKills <= GatewaySilence.restartsBeforeReset }

    /// A new child started at `now`: not watched until its first beat.
    public mutating func started(at now: Instant) {
        startedAt = now
        lastBeat = nil
    }

    /// The child ended (or was killed): nothing to watch until the next one starts.
    public mutating func ended() {
        startedAt = nil
        lastBeat = nil
    }

    /// A heartbeat from the child at `now`.
    public mutating func beat(at now: Instant) {
        guard let startedAt else { return }
        lastBeat = now
        if now - startedAt >= limit { silentKills = 0 }
    }

    /// The verdict at `now`; a `restart` or `reset` counts the kill the supervisor makes.
    public mutating func check(at now: Instant) -> Verdict {
        guard limit > .zero, let lastBeat else { return .alive }
        let silent = now - lastBeat
        guard silent >= limit else { return .alive }
        silentKills += 1
        ended()
        return feedsWatchdog ? .restart(silent: silent) : .reset(silent: silent)
    }
}
