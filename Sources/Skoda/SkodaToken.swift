import Crypto
import JSON

/// An access token and when it expires (its JWT `exp`). The text goes to the broker as the
/// password and nowhere else: `description` shows only the expiry.
public struct SkodaToken: Equatable {
    public let value: String
    /// Seconds since the epoch.
    public let expires: Int64

    public init(value: String, expires: Int64) {
        self.value = value
        self.expires = expires
    }

    /// The `exp` values taken: after 1970, before 10^11 s (the year 5138), as BMW's parser.
    /// Anything else is a broken token, not a time to compute with: `exp * 1000` for the log
    /// must not overflow, nor `Int64(exp)` trap (issue 20).
    public static let expiryRange: ClosedRange<Int64> = 1...99_999_999_999

    /// Reads `exp` from a JWT's payload (the middle base64url part); the signature is the
    /// broker's business, not ours.
    public static func parse(_ jwt: String) throws(SkodaError) -> SkodaToken {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .badToken("not a JWT (\(parts.count) parts)") }
        guard let payload = Base64.decode(String(parts[1])) else { throw .badToken("JWT payload is not base64url") }
        let claims: JSONValue
        do throws(JSONError) { claims = try JSONValue.parse(payload) } catch {
            throw .badToken("payload is not JSON")
        }
        guard let exp = claims["exp"] else { throw .badToken("no exp claim") }
        guard case .number = exp else { throw .badToken("exp claim is a " + exp.typeName + ", not a number") }
        guard let expires = exp.integer(in: expiryRange) else {
            throw .badToken("exp claim out of range (not a time between 1970 and 5138)")
        }
        return SkodaToken(value: jwt, expires: expires)
    }

    /// Whether fewer than `margin` seconds are left at `now`.
    public func expiresWithin(_ margin: Int64, now: Int64) -> Bool { expires - now < margin }
}
