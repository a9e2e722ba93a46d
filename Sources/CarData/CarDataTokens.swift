import JSON

/// What the token endpoint hands out. Access and ID tokens live in memory only; the refresh
/// token, gcid and scope are persisted (`CarDataTokenStore`).
public struct CarDataTokens: Equatable {
    public var accessToken: String
    /// The stream's MQTT password.
    public var idToken: String
    public var refreshToken: String
    /// The account id: the stream's username and the first level of its topics.
    public var gcid: String
    public var scope: String
    /// When the ID token runs out (Unix seconds): its JWT `exp`, else now + `expires_in`.
    public var idTokenExpiry: Int64
    /// When the refresh token runs out (Unix seconds): BMW gives 2 weeks from issue.
    public var refreshTokenExpiry: Int64

    /// The refresh token's lifetime, as BMW documents it (the response does not say).
    public static let refreshLifetimeSeconds: Int64 = 14 * 24 * 3600

    public init(accessToken: String, idToken: String, refreshToken: String, gcid: String, scope: String,
                idTokenExpiry: Int64, refreshTokenExpiry: Int64) {
        self.accessToken = accessToken
        self.idToken = idToken
        self.refreshToken = refreshToken
        self.gcid = gcid
        self.scope = scope
        self.idTokenExpiry = idTokenExpiry
        self.refreshTokenExpiry = refreshTokenExpiry
    }

    /// A token response (device-code grant or refresh) received at `now` (Unix seconds).
    /// `previous` fills what a refresh may leave out (gcid, scope). A response without an
    /// id_token is an error: the stream cannot log in without it.
    public static func parse(_ body: [UInt8], now: Int64, previous: CarDataTokens? = nil)
        -> Result<CarDataTokens, CarDataError>
    {
        let json: JSONValue
        do throws(JSONError) { json = try JSONValue.parse(body) } catch {
            return .failure(.malformed("token response is not JSON (" + String(body.count) + " bytes)"))
        }
        guard case .object = json else { return .failure(.malformed("token response is not a JSON object")) }
        func text(_ key: String) -> String? {
            guard let value = json[key]?.stringValue, !value.isEmpty else { return nil }
            return value
        }
        guard let access = text("access_token") else { return .failure(.malformed("token response has no access_token")) }
        guard let id = text("id_token") else { return .failure(.malformed("token response has no id_token")) }
        guard let refresh = text("refresh_token") ?? previous?.refreshToken else {
            return .failure(.malformed("token response has no refresh_token"))
        }
        guard let gcid = text("gcid") ?? previous?.gcid else { return .failure(.malformed("token response has no gcid")) }
        let scope = text("scope") ?? previous?.scope ?? ""
        // Out of range (or 1e400) is as if absent: BMW's tokens live an hour.
        let lifetime = json["expires_in"]?.integer(in: 1...9_999_999) ?? 3600
        var idExpiry = now + lifetime
        if case .success(let claims) = JWTClaims.parse(id) { idExpiry = claims.expiry }
        let newRefresh = text("refresh_token") != nil
        let refreshExpiry = newRefresh || previous == nil ? now + refreshLifetimeSeconds : previous!.refreshTokenExpiry
        return .success(CarDataTokens(accessToken: access, idToken: id, refreshToken: refresh, gcid: gcid, scope: scope,
                                      idTokenExpiry: idExpiry, refreshTokenExpiry: refreshExpiry))
    }
}
