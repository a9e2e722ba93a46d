import ServiceKit

/// The MySkoda bridge's counters for `/metrics`, each declared with its kind.
extension SkodaService {
    /// Messages from the cloud by what they were, drops, and the token's refreshes.
    public var metrics: [Metric] {
        [
            .counter("messages", "Messages received from the MySkoda broker.", stats.messages),
            .counter("events", "Service events received (repeats not counted).", stats.events),
            .counter("operations", "Operation updates received.", stats.operations),
            .counter("raw", "Events with an unknown name or fields, also published raw.", stats.raw),
            .counter("malformed", "Messages dropped as malformed.", stats.malformed),
            .counter("duplicates", "Events dropped as repeats of one already seen.", stats.duplicates),
            .counter("token_refreshes", "Access tokens refreshed.", stats.refreshes),
            .counter("token_refresh_failures", "Token refreshes that failed.", stats.refreshFailures),
            .counter("auth_refusals", "Logins the MySkoda broker refused.", stats.authRefusals),
            .counter("clock_jumps", "Wall-clock jumps seen (a new token and a reconnect follow).", stats.clockJumps),
        ]
    }
}
