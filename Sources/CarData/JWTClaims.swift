import Crypto
import JSON

/// The few claims we read from a JWT (BMW's id_token), without checking its signature: the
/// broker checks it; we only want to know when it runs out, to refresh ahead of that.
public struct JWTClaims: Equatable {
    /// `exp`, Unix seconds.
    public let expiry: Int64

    /// The `exp` values taken: after 1970, before 10^11 s (the year 5138). Outside it a token
    /// is malformed; `Int64(exp)` of 1e400 or 9.3e18 would trap (issue 20).
    public static let expiryRange: ClosedRange<Int64> = 1...99_999_999_999

    /// The claims of `token`, or why they cannot be read.
    public static func parse(_ token: String) -> Result<JWTClaims, CarDataError> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.malformed("a JWT has three dot-separated parts")) }
        guard let payload = Base64.decode(String(parts[1])) else { return .failure(.malformed("JWT payload is not base64url")) }
        let claims: JSONValue
        do throws(JSONError) { claims = try JSONValue.parse(payload) } catch {
            return .failure(.malformed("JWT payload is not JSON"))
        }
        guard let exp = claims["exp"]?.integer(in: expiryRange) else {
            return .failure(.malformed("JWT exp is missing, not a number or out of range"))
        }
        return .success(JWTClaims(expiry: exp))
    }
}
