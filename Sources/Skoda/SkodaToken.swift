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
        guard let exp = claims["exp"]?.doubleValue, exp > 0 else { throw .badToken("no exp claim") }
        return SkodaToken(value: jwt, expires: Int64(exp))
    }

    /// Whether fewer than `margin` seconds are left at `now`.
    public func expiresWithin(_ margin: Int64, now: Int64) -> Bool { expires - now < margin }
}
