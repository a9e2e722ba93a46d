import JSON
import Runtime
import Store

/// The part of a login that survives restarts: refresh token (and its expiry), gcid, scope.
/// Kept as secrets in the config store; also read from and written to the Python seed
/// client's `bmw_tokens.json`, so a user of either keeps their login when switching.
public struct CarDataLogin: Equatable {
    public var refreshToken: String
    /// Unix seconds.
    public var refreshTokenExpiry: Int64
    public var gcid: String
    public var scope: String

    public init(refreshToken: String, refreshTokenExpiry: Int64, gcid: String, scope: String) {
        self.refreshToken = refreshToken
        self.refreshTokenExpiry = refreshTokenExpiry
        self.gcid = gcid
        self.scope = scope
    }

    public init(_ tokens: CarDataTokens) {
        self.init(refreshToken: tokens.refreshToken, refreshTokenExpiry: tokens.refreshTokenExpiry,
                  gcid: tokens.gcid, scope: tokens.scope)
    }

    // MARK: config store

    /// The login saved in `store`, if any.
    public static func load(from store: ConfigStore) -> CarDataLogin? {
        let token = store.secretValue(CarDataConfigKeys.refreshToken)
        let gcid = store.secretValue(CarDataConfigKeys.gcid)
        guard !token.isEmpty, !gcid.isEmpty else { return nil }
        // Config text anyone allowed to `set` can write: a time outside JWTs' range (say
        // Int64.min, which CivilTime.format cannot print) reads as unknown.
        let expiry = Int64(store.string(CarDataConfigKeys.refreshExpires))
            .flatMap { JWTClaims.expiryRange.contains($0) ? $0 : nil } ?? 0
        return CarDataLogin(refreshToken: token, refreshTokenExpiry: expiry, gcid: gcid,
                            scope: store.secretValue(CarDataConfigKeys.scope))
    }

    /// Sets the keys and saves the config (atomically, as every save).
    public func save(to store: ConfigStore) throws(CarDataError) {
        do throws(StoreError) {
            try store.set(CarDataConfigKeys.refreshToken.name, to: refreshToken)
            try store.set(CarDataConfigKeys.refreshExpires.name, to: String(refreshTokenExpiry))
            try store.set(CarDataConfigKeys.gcid.name, to: gcid)
            try store.set(CarDataConfigKeys.scope.name, to: scope)
            try store.save()
        } catch {
            throw .file("cannot save the login to the config: " + error.description)
        }
    }

    /// Removes a saved login (`bmw logout`, or a refresh token BMW no longer accepts).
    public static func clear(in store: ConfigStore) throws(CarDataError) {
        do throws(StoreError) {
            for key in CarDataConfigKeys.stored { try store.unset(key.name) }
            try store.save()
        } catch {
            throw .file("cannot clear the login in the config: " + error.description)
        }
    }

    // MARK: the seed's bmw_tokens.json

    /// The seed's file: `{"refresh_token": {"token", "expires_at"}, "gcid", "scope"}`, times
    /// as ISO 8601 without a zone (we write UTC).
    public var seedFileJSON: JSONValue {
        var refresh = JSONObject(minimumCapacity: 2)
        refresh.append("token", .string(refreshToken))
        refresh.append("expires_at", .string(CivilTime.format(refreshTokenExpiry)))
        var object = JSONObject(minimumCapacity: 3)
        object.append("refresh_token", .object(refresh))
        object.append("gcid", .string(gcid))
        object.append("scope", .string(scope))
        return .object(object)
    }

    /// The login in a seed file's bytes, or why not.
    public static func parseSeedFile(_ bytes: [UInt8]) -> Result<CarDataLogin, CarDataError> {
        let json: JSONValue
        do throws(JSONError) { json = try JSONValue.parse(bytes) } catch {
            return .failure(.malformed("the token file is not JSON"))
        }
        guard let gcid = json["gcid"]?.stringValue, !gcid.isEmpty else {
            return .failure(.malformed("the token file has no gcid"))
        }
        // The seed writes {"token", "expires_at"}; a bare string is accepted too.
        let refresh = json["refresh_token"]
        guard let token = refresh?["token"]?.stringValue ?? refresh?.stringValue, !token.isEmpty else {
            return .failure(.malformed("the token file has no refresh_token"))
        }
        var expiry: Int64 = 0
        if let text = refresh?["expires_at"]?.stringValue {
            guard let parsed = CivilTime.parse(text) else {
                return .failure(.malformed("the token file's expires_at is not an ISO 8601 time"))
            }
            expiry = parsed
        }
        return .success(CarDataLogin(refreshToken: token, refreshTokenExpiry: expiry, gcid: gcid,
                                     scope: json["scope"]?.stringValue ?? ""))
    }

    /// Reads the seed file at `path`; nil when there is none.
    public static func importSeedFile(_ path: String) -> Result<CarDataLogin, CarDataError>? {
        let bytes: [UInt8]
        do throws(RuntimeError) {
            guard let contents = try FileSystem.read(path, limit: 64 * 1024) else { return nil }
            bytes = contents
        } catch {
            return .failure(.file("cannot read " + path + ": " + error.description))
        }
        return parseSeedFile(bytes)
    }

    /// Writes the seed file at `path` atomically, readable by its owner only.
    public func exportSeedFile(_ path: String) throws(CarDataError) {
        do throws(RuntimeError) {
            try FileSystem.replaceAtomically(path: path, bytes: Array((seedFileJSON.prettyPrinted() + "\n").utf8), mode: 0o600)
        } catch {
            throw .file("cannot write " + path + ": " + error.description)
        }
    }
}
