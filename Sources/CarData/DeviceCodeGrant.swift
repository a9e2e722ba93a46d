import JSON

/// What BMW's device/code endpoint answers: what to show the user and what to poll with.
public struct DeviceCodeGrant: Equatable {
    public let userCode: String
    public let deviceCode: String
    public let verificationURI: String
    public let verificationURIComplete: String
    /// Seconds the code is valid (`expires_in`; 600 when BMW does not say).
    public let expiresIn: Int64
    /// Seconds between polls (5 when BMW does not say).
    public let interval: Int64

    /// The manual page when BMW's answer has no verification_uri.
    public static let manualPage = "https://customer.bmwgroup.com/oneid/link"
    /// The code's lifetime when the answer has no usable `expires_in` (the maintained clients' 600 s).
    public static let defaultLifetime: Int64 = 600

    public static func parse(_ body: [UInt8]) -> Result<DeviceCodeGrant, CarDataError> {
        let json: JSONValue
        do throws(JSONError) { json = try JSONValue.parse(body) } catch {
            return .failure(.malformed("device code response is not JSON (" + String(body.count) + " bytes)"))
        }
        guard let user = json["user_code"]?.stringValue, !user.isEmpty,
              let device = json["device_code"]?.stringValue, !device.isEmpty else {
            return .failure(.malformed("device code response has no user_code or device_code"))
        }
        let uri = json["verification_uri"]?.stringValue ?? manualPage
        // The one-click link: BMW's own, else the page with the code filled in (what the
        // maintained clients offer), so the user never has to type it.
        let complete = json["verification_uri_complete"]?.stringValue
            ?? (uri + (uri.contains("?") ? "&" : "?") + "user_code=" + user)
        // Out of range (or NaN, or 1e400) falls back to the defaults, as when absent.
        let expires = json["expires_in"]?.integer(in: 1...86_399) ?? defaultLifetime
        let interval = json["interval"]?.integer(in: 1...60) ?? 5
        return .success(DeviceCodeGrant(userCode: user, deviceCode: device, verificationURI: uri,
                                        verificationURIComplete: complete, expiresIn: expires, interval: interval))
    }
}

/// One answer to a token poll, classified as the reference says.
public enum TokenPollOutcome: Equatable {
    /// 200 with tokens.
    case tokens(CarDataTokens)
    /// 403 authorization_pending: poll again after the interval.
    case pending
    /// 400 slow_down: poll again, 5 s slower.
    case slowDown
    /// 403 access_denied: the user said no.
    case denied
    /// expired_token: the code ran out; start again.
    case expired
    /// 401 invalid_client: the client ID is wrong.
    case invalidClient
    /// A 5xx without an OAuth error: BMW's side hiccuped; poll again (a run of them ends it).
    case serverError(status: Int)
    /// Anything else: stop, with the reason (never a token).
    case failed(String)

    /// Whether polling goes on (a 5xx only while the run of them is short: the authorizer counts).
    public var keepsPolling: Bool {
        switch self {
        case .pending, .slowDown, .serverError: return true
        default: return false
        }
    }

    /// The fault code of BMW's API gateway that makes a 5xx final.
    public static let invalidAccessTokenFault = "keymanagement.service.invalid_access_token"

    public static func classify(status: Int, body: [UInt8], now: Int64) -> TokenPollOutcome {
        if status == 200 {
            switch CarDataTokens.parse(body, now: now) {
            case .success(let tokens): return .tokens(tokens)
            case .failure(let error): return .failed(error.description)
            }
        }
        let code = OAuthErrorBody.error(body)
        if status >= 500 && status <= 599 && code == nil {
            // BMW's gateway says so when the token it was handed is dead: no retry helps.
            if OAuthErrorBody.apigeeFault(body) == invalidAccessTokenFault {
                return .failed("HTTP " + String(status) + ": " + invalidAccessTokenFault)
            }
            return .serverError(status: status)
        }
        switch code {
        case .authorizationPending: return .pending
        case .slowDown: return .slowDown
        case .accessDenied: return .denied
        case .expiredToken: return .expired
        case .invalidClient: return .invalidClient
        case nil: return .failed("HTTP " + String(status) + " without an OAuth error")
        case .some(let error): return .failed("HTTP " + String(status) + ": " + error.name)
        }
    }
}

/// The `error` member of an OAuth error response.
public enum OAuthErrorBody {
    /// The code of `body`; nil when the body is not an OAuth error (not JSON, no `error`).
    public static func error(_ body: [UInt8]) -> OAuthErrorCode? {
        let json: JSONValue
        do throws(JSONError) { json = try JSONValue.parse(body) } catch { return nil }
        guard let code = json["error"]?.stringValue else { return nil }
        // Only the code word goes to logs: it is ours to show, a free-text field may not be.
        var safe = ""
        for byte in code.utf8.prefix(64) where byte == 95 || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) {
            safe.append(Character(Unicode.Scalar(byte)))
        }
        return safe.isEmpty ? nil : OAuthErrorCode(safe)
    }

    /// The `fault.detail.errorcode` of an API gateway (Apigee) error body, nil when absent.
    /// Compared whole against the codes we know, never shown, so not filtered.
    public static func apigeeFault(_ body: [UInt8]) -> String? {
        let json: JSONValue
        do throws(JSONError) { json = try JSONValue.parse(body) } catch { return nil }
        return json["fault"]?["detail"]?["errorcode"]?.stringValue
    }
}
