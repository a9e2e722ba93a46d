import Crypto
import HTTPClient
import Runtime

/// BMW's OAuth: the device-code login with PKCE and the token refresh, over the HTTPClient
/// (libcurl multi in the run loop). Nothing here blocks; every answer arrives on the loop.
public final class CarDataAuthorizer {
    /// Where a login stands (`state`, `bmw status`, the LED).
    public enum LoginState: Equatable {
        case idle
        case requestingCode
        /// The user must open the URL and enter the code before `deadline` (Unix seconds).
        case waitingForUser(DeviceCodeGrant, deadline: Int64)
        case succeeded
        case failed(String)

        public var name: String {
            switch self {
            case .idle: return "idle"
            case .requestingCode: return "requesting code"
            case .waitingForUser: return "authorisation needed"
            case .succeeded: return "logged in"
            case .failed: return "login failed"
            }
        }
    }

    public static let scope = "authenticate_user openid cardata:streaming:read cardata:api:read"

    private let http: HTTPClient
    private let loop: EventLoop
    private let log: Logger
    private let authURL: String
    private let clientID: String
    private let caFile: String
    /// How long a token request may take before it counts as failed.
    public var timeout = Interval.seconds(30)
    /// Seconds added to the poll interval at each slow_down (RFC 8628 says 5).
    public var slowDownStep: Int64 = 5
    /// 5xx answers in a row a login survives while polling; one more ends it.
    public static let maxServerErrorsInARow = 3
    /// 5xx answers to token polls, for `state`.
    public private(set) var serverErrors = 0
    public private(set) var loginState: LoginState = .idle
    /// Token responses that were not JSON, HTML, cut short...: counted for `state`.
    public private(set) var badResponses = 0
    public private(set) var refreshes = 0
    public private(set) var refreshFailures = 0
    /// Seconds since the epoch (a parameter so tests can shift time).
    public var wallClock: () -> Int64 = { WallClock.millisecondsSinceEpoch() / 1000 }
    /// Called on each change of `loginState`.
    public var onLoginState: ((LoginState) -> Void)?

    private var pollTimer: OneShotTimer?
    private var pollInterval: Int64 = 5
    // 5xx answers since the last other answer to a poll.
    private var serverErrorsInARow = 0
    private var transfer: HTTPTransferID?
    // Every request still running, so `cancelAll` leaves nothing behind on the shared client.
    private var inFlight: [HTTPTransferID] = []
    private var loginCompletion: ((Result<CarDataTokens, CarDataError>) -> Void)?
    private var pkce: PKCEPair?

    public init(http: HTTPClient, loop: EventLoop, log: Logger, authURL: String, clientID: String, caFile: String) {
        self.http = http
        self.loop = loop
        self.log = log
        self.authURL = authURL
        self.clientID = clientID
        self.caFile = caFile
    }

    public var isLoggingIn: Bool {
        switch loginState {
        case .requestingCode, .waitingForUser: return true
        default: return false
        }
    }

    // MARK: device-code login

    /// Starts a login; `completion` gets the tokens or why not. The state shows the code.
    public func login(completion: @escaping (Result<CarDataTokens, CarDataError>) -> Void) {
        cancelLogin()
        guard !clientID.isEmpty else {
            completion(.failure(.notLoggedIn("set bmw.client_id (BMW_CLIENT_ID) to your CarData client ID first")))
            return
        }
        let pair: PKCEPair
        do throws(CryptoError) { pair = try PKCEPair.generate() } catch {
            completion(.failure(.transport(error.description)))
            return
        }
        pkce = pair
        loginCompletion = completion
        setState(.requestingCode)
        let fields = [HTTPHeader("client_id", clientID), HTTPHeader("response_type", "device_code"),
                      HTTPHeader("scope", CarDataAuthorizer.scope), HTTPHeader("code_challenge", pair.challenge),
                      HTTPHeader("code_challenge_method", "S256")]
        transfer = send(.postForm(authURL + "/device/code", fields: fields,
                                  headers: [HTTPHeader("Accept", "application/json")])) { [self] result in
            self.transfer = nil
            self.codeArrived(result)
        }
    }

    /// Cancels every request (the service stops); no completion is called afterwards.
    public func cancelAll() {
        cancelLogin()
        for id in inFlight { http.cancel(id) }
        inFlight.removeAll()
    }

    /// Stops a login in progress (its completion is not called).
    public func cancelLogin() {
        pollTimer?.cancel()
        pollTimer = nil
        if isLoggingIn, let transfer { http.cancel(transfer) }
        transfer = nil
        loginCompletion = nil
        if isLoggingIn { setState(.idle) }
    }

    private func codeArrived(_ result: Result<HTTPResponse, HTTPClientError>) {
        switch result {
        case .failure(let error):
            finishLogin(.failure(.transport("device code request failed: " + error.description)))
        case .success(let response):
            guard response.status == 200 else {
                let code = OAuthErrorBody.error(response.body)
                if code == nil { badResponses += 1 }
                finishLogin(.failure(.tokenRefused(request: "device code request", status: response.status, code: code)))
                return
            }
            switch DeviceCodeGrant.parse(response.body) {
            case .failure(let error):
                badResponses += 1
                finishLogin(.failure(error))
            case .success(let grant):
                pollInterval = grant.interval
                serverErrorsInARow = 0
                setState(.waitingForUser(grant, deadline: wallClock() + grant.expiresIn))
                log.info("authorisation needed: open " + grant.verificationURIComplete + " (or " + grant.verificationURI
                         + " and enter the code " + grant.userCode + ")")
                schedulePoll(grant)
            }
        }
    }

    private func schedulePoll(_ grant: DeviceCodeGrant) {
        pollTimer = loop.after(.seconds(pollInterval)) { [self] in
            self.pollTimer = nil
            self.poll(grant)
        }
    }

    private func poll(_ grant: DeviceCodeGrant) {
        guard case .waitingForUser(_, let deadline) = loginState, let pkce else { return }
        if wallClock() >= deadline {
            finishLogin(.failure(.refused("the code expired before it was entered; run `bmw login` again")))
            return
        }
        let fields = [HTTPHeader("client_id", clientID), HTTPHeader("device_code", grant.deviceCode),
                      HTTPHeader("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                      HTTPHeader("code_verifier", pkce.verifier)]
        transfer = send(.postForm(authURL + "/token", fields: fields,
                                  headers: [HTTPHeader("Accept", "application/json")])) { [self] result in
            self.transfer = nil
            self.pollAnswered(result, grant)
        }
    }

    private func pollAnswered(_ result: Result<HTTPResponse, HTTPClientError>, _ grant: DeviceCodeGrant) {
        guard case .waitingForUser = loginState else { return }
        switch result {
        case .failure(let error):
            // A network hiccup is not the user's answer: keep polling until the code expires.
            log.warning("token poll failed: " + error.description + "; polling on")
            schedulePoll(grant)
        case .success(let response):
            let outcome = TokenPollOutcome.classify(status: response.status, body: response.body, now: wallClock())
            if case .serverError = outcome {} else { serverErrorsInARow = 0 }
            switch outcome {
            case .serverError(let status):
                serverErrors += 1
                serverErrorsInARow += 1
                guard serverErrorsInARow >= CarDataAuthorizer.maxServerErrorsInARow else {
                    log.warning("token poll: BMW answered HTTP " + String(status) + " ("
                                + String(serverErrorsInARow) + " in a row); polling on")
                    schedulePoll(grant)
                    return
                }
                finishLogin(.failure(.refused("BMW answered HTTP " + String(status) + " to "
                    + String(serverErrorsInARow) + " polls in a row; try `bmw login` again later")))
            case .pending:
                schedulePoll(grant)
            case .slowDown:
                pollInterval += slowDownStep
                log.info("BMW asks to poll slower: every " + String(pollInterval) + " s")
                schedulePoll(grant)
            case .tokens(let tokens):
                finishLogin(.success(tokens))
            case .denied:
                finishLogin(.failure(.refused("access_denied: the login was declined in the browser")))
            case .expired:
                finishLogin(.failure(.refused("expired_token: the code expired; run `bmw login` again")))
            case .invalidClient:
                finishLogin(.failure(.refused("invalid_client: BMW does not know bmw.client_id")))
            case .failed(let reason):
                badResponses += 1
                finishLogin(.failure(.refused(reason)))
            }
        }
    }

    private func finishLogin(_ result: Result<CarDataTokens, CarDataError>) {
        pollTimer?.cancel()
        pollTimer = nil
        pkce = nil
        switch result {
        case .success: setState(.succeeded)
        case .failure(let error):
            log.error("login failed: " + error.description)
            setState(.failed(error.description))
        }
        let completion = loginCompletion
        loginCompletion = nil
        completion?(result)
    }

    // MARK: refresh

    /// Trades `refreshToken` for fresh tokens; `previous` supplies gcid and scope when the
    /// answer leaves them out.
    public func refresh(_ login: CarDataLogin, completion: @escaping (Result<CarDataTokens, CarDataError>) -> Void) {
        let fields = [HTTPHeader("grant_type", "refresh_token"), HTTPHeader("refresh_token", login.refreshToken),
                      HTTPHeader("client_id", clientID)]
        let previous = CarDataTokens(accessToken: "", idToken: "", refreshToken: login.refreshToken, gcid: login.gcid,
                                     scope: login.scope, idTokenExpiry: 0, refreshTokenExpiry: login.refreshTokenExpiry)
        send(.postForm(authURL + "/token", fields: fields, headers: [HTTPHeader("Accept", "application/json")])) {
            [self] result in
            switch result {
            case .failure(let error):
                self.refreshFailures += 1
                completion(.failure(.transport("token refresh failed: " + error.description)))
            case .success(let response):
                guard response.status == 200 else {
                    self.refreshFailures += 1
                    let code = OAuthErrorBody.error(response.body)
                    if code == nil { self.badResponses += 1 }
                    completion(.failure(.tokenRefused(request: "token refresh", status: response.status, code: code)))
                    return
                }
                switch CarDataTokens.parse(response.body, now: self.wallClock(), previous: previous) {
                case .success(let tokens):
                    self.refreshes += 1
                    completion(.success(tokens))
                case .failure(let error):
                    self.refreshFailures += 1
                    self.badResponses += 1
                    completion(.failure(error))
                }
            }
        }
    }

    // MARK: transport

    // The login's transfer is kept to cancel it; a refresh's runs to its end.
    @discardableResult
    private func send(_ request: HTTPRequest, _ completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void)
        -> HTTPTransferID?
    {
        var request = request
        request.timeout = timeout
        request.maxResponseBytes = 64 * 1024
        if !caFile.isEmpty { request.caFile = caFile }
        do throws(HTTPClientError) {
            var sent: HTTPTransferID?
            let id = try http.send(request) { [self] result in
                if let sent { self.inFlight.removeAll { $0 == sent } }
                completion(result)
            }
            sent = id
            inFlight.append(id)
            return id
        } catch {
            // Reported on the next pass, so a caller never hears back before `send` returns.
            loop.after(.zero) { completion(.failure(error)) }
            return nil
        }
    }

    private func setState(_ state: LoginState) {
        loginState = state
        onLoginState?(state)
    }
}
