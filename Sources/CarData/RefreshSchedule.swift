/// When to refresh: BMW closes the stream when the id_token expires, so refresh (and
/// reconnect with the new one) ahead of it: 45 min after the last refresh, or 10 min before
/// the JWT `exp`, whichever comes first. All times are Unix seconds.
public enum RefreshSchedule {
    public static let period: Int64 = 45 * 60
    public static let margin: Int64 = 10 * 60
    /// How far ahead a refresh token's end is warned about.
    public static let warningAhead: Int64 = 24 * 3600
    /// Never refresh more often than this, even for a token that claims to be nearly spent.
    public static let minimumDelay: Int64 = 30

    /// Seconds from `now` until the next refresh of `tokens`, obtained at `obtained`.
    public static func delay(obtained: Int64, idTokenExpiry: Int64, now: Int64) -> Int64 {
        let due = min(obtained + period, idTokenExpiry - margin)
        return max(minimumDelay, due - now)
    }

    /// Whether the refresh token runs out within a day (the user must log in again soon).
    public static func refreshTokenEnding(_ expiry: Int64, now: Int64) -> Bool {
        expiry > 0 && expiry - now <= warningAhead
    }
}
