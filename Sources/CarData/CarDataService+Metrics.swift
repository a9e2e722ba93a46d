import ServiceKit

/// The BMW CarData stream's counters for `/metrics`, each declared with its kind.
extension CarDataService {
    /// Messages, drops, token refreshes and when the car was last heard.
    public var metrics: [Metric] {
        [
            .counter("messages", "Messages received from the CarData stream.", stats.messages),
            .counter("malformed", "Messages dropped as malformed.", stats.malformed),
            .counter("bad_readings", "Readings dropped from otherwise good messages.", stats.badReadings),
            .counter("token_refreshes", "Tokens refreshed.", stats.refreshes),
            .counter("token_refresh_failures", "Token refreshes that failed.", stats.refreshFailures),
            .counter("catalogue_failures", "Failed fetches of the CarData catalogue.", stats.catalogueFailures),
            .gauge("last_message_timestamp_seconds", "Unix time of the last good message (0: none yet).",
                   Int(stats.lastMessageAt)),
        ]
    }
}
