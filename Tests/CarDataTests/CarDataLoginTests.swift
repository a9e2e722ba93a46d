import CarData
import Foundation
import HTTPClient
import Runtime
import TestSupport
import Testing

/// The device-code login and the refresh against a local server answering as BMW does.
@Suite("BMW CarData login and refresh against a local OAuth server")
struct CarDataLoginTests {
    private func authorizer(_ cloud: FakeBMWCloud, clientID: String, loop: EventLoop, http: HTTPClient) -> CarDataAuthorizer {
        let authorizer = CarDataAuthorizer(http: http, loop: loop, log: Logger("bmw-test"), authURL: cloud.authURL,
                                           clientID: clientID, caFile: "")
        authorizer.slowDownStep = 1 // BMW's 5 s, shortened
        return authorizer
    }

    @Test("pending, slow_down, then tokens: the code is shown and the PKCE verifier matches")
    func loginSucceeds() throws {
        let cloud = try FakeBMWCloud()
        let loop = try EventLoop()
        let http = HTTPClient(loop: loop)
        let auth = authorizer(cloud, clientID: "client-ok", loop: loop, http: http)
        var states: [String] = []
        auth.onLoginState = { states.append($0.name) }
        var result: Result<CarDataTokens, CarDataError>?
        auth.login { result = $0 }
        #expect(loop.run(timeout: 20) { result != nil }, "\(states) \(cloud.stderr)")
        let tokens = try #require(try? result?.get())
        #expect(tokens.gcid == "0b2bc8a1-5f7c-4c1e-9b1f-2f3c4d5e6f70" && !tokens.idToken.isEmpty)
        #expect(tokens.idTokenExpiry > Int64(Date().timeIntervalSince1970) + 3000, "exp read from the JWT")
        #expect(states == ["requesting code", "authorisation needed", "logged in"])
        let polls = cloud.requests.filter { $0["grant"] as? String == "device_code" }
        #expect(polls.count == 3, "pending, slow_down, success")
        #expect(cloud.requests.first?["method"] as? String == "S256")
        #expect(cloud.requests.first?["scope"] as? String == CarDataAuthorizer.scope)

        // The refresh rotates the refresh token; the old one is then refused.
        var refreshed: Result<CarDataTokens, CarDataError>?
        auth.refresh(CarDataLogin(tokens)) { refreshed = $0 }
        #expect(loop.run(timeout: 10) { refreshed != nil })
        let next = try #require(try? refreshed?.get())
        #expect(next.refreshToken != tokens.refreshToken && next.idToken != tokens.idToken && next.gcid == tokens.gcid)
        var again: Result<CarDataTokens, CarDataError>?
        auth.refresh(CarDataLogin(tokens)) { again = $0 }
        #expect(loop.run(timeout: 10) { again != nil })
        #expect(again.map { if case .failure(.tokenRefused("token refresh", 400, .invalidGrant)) = $0 { return true } else { return false } } == true,
                "\(String(describing: again))")
        #expect(again.map { if case .failure(let error) = $0 { return error.description } else { return "" } }
                == "refused: token refresh: HTTP 400 invalid_grant")
        #expect(auth.refreshes == 1 && auth.refreshFailures == 1)
    }

    @Test("denied, expired, invalid client and garbage each end the login with their reason",
          arguments: [("deny", "access_denied"), ("expire", "expired_token"), ("invalid", "invalid_client"),
                      ("garbage", "not JSON")])
    func loginFails(_ clientID: String, _ reason: String) throws {
        let cloud = try FakeBMWCloud()
        let loop = try EventLoop()
        let http = HTTPClient(loop: loop)
        let auth = authorizer(cloud, clientID: clientID, loop: loop, http: http)
        var result: Result<CarDataTokens, CarDataError>?
        auth.login { result = $0 }
        #expect(loop.run(timeout: 20) { result != nil })
        guard case .failure(let error) = result else {
            Issue.record("login should fail for \(clientID)")
            return
        }
        #expect(error.description.contains(reason), "\(error.description)")
        if case .failed(let why) = auth.loginState { #expect(why.contains(reason)) } else { Issue.record("\(auth.loginState)") }
        if clientID == "garbage" { #expect(auth.badResponses == 1) }
    }

    @Test("a refresh answer without an id_token is an error, counted")
    func refreshWithoutIDToken() throws {
        let cloud = try FakeBMWCloud()
        let loop = try EventLoop()
        let http = HTTPClient(loop: loop)
        let auth = authorizer(cloud, clientID: "no-id-token", loop: loop, http: http)
        var login: Result<CarDataTokens, CarDataError>?
        auth.login { login = $0 }
        #expect(loop.run(timeout: 20) { login != nil })
        let tokens = try #require(try? login?.get())
        var refreshed: Result<CarDataTokens, CarDataError>?
        auth.refresh(CarDataLogin(tokens)) { refreshed = $0 }
        #expect(loop.run(timeout: 10) { refreshed != nil })
        #expect(refreshed.map { if case .failure(.malformed(let why)) = $0 { return why.contains("id_token") } else { return false } } == true)
        #expect(auth.badResponses == 1)
    }

    @Test("a token endpoint that does not answer is a transport failure, not a hang")
    func unreachable() throws {
        let loop = try EventLoop()
        let http = HTTPClient(loop: loop)
        let auth = CarDataAuthorizer(http: http, loop: loop, log: Logger("bmw-test"),
                                     authURL: "http://127.0.0.1:\(FreePort.next())/oauth", clientID: "c", caFile: "")
        var refreshed: Result<CarDataTokens, CarDataError>?
        auth.refresh(CarDataLogin(refreshToken: "r", refreshTokenExpiry: 0, gcid: "g", scope: "")) { refreshed = $0 }
        #expect(loop.run(timeout: 10) { refreshed != nil })
        #expect(refreshed.map { if case .failure(.transport) = $0 { return true } else { return false } } == true)
    }

    @Test("two 5xx answers in a row while polling are survived; the login then completes")
    func loginSurvivesTwoServerErrors() throws {
        let cloud = try FakeBMWCloud()
        let loop = try EventLoop()
        let http = HTTPClient(loop: loop)
        let auth = authorizer(cloud, clientID: "flaky", loop: loop, http: http)
        var result: Result<CarDataTokens, CarDataError>?
        auth.login { result = $0 }
        #expect(loop.run(timeout: 20) { result != nil }, "\(cloud.stderr)")
        #expect((try? result?.get())?.idToken.isEmpty == false, "\(String(describing: result))")
        #expect(auth.loginState == .succeeded && auth.serverErrors == 2)
        let polls = cloud.requests.filter { $0["grant"] as? String == "device_code" }
        #expect(polls.count == 4, "pending, 503, 503, tokens")
    }

    @Test("three 5xx answers in a row end the login cleanly, with the reason; polling stops")
    func loginFailsOnThreeServerErrors() throws {
        let cloud = try FakeBMWCloud()
        let loop = try EventLoop()
        let http = HTTPClient(loop: loop)
        let auth = authorizer(cloud, clientID: "down", loop: loop, http: http)
        var result: Result<CarDataTokens, CarDataError>?
        auth.login { result = $0 }
        #expect(loop.run(timeout: 20) { result != nil }, "\(cloud.stderr)")
        guard case .failure(let error) = result else {
            Issue.record("the login should fail after three 5xx in a row")
            return
        }
        #expect(error.description.contains("HTTP 502") && error.description.contains("3 polls in a row"), "\(error.description)")
        #expect(auth.serverErrors == 3 && auth.badResponses == 0)
        #expect(!auth.isLoggingIn)
        loop.run(timeout: 1.5) { false } // longer than the 1 s poll interval: no poll may follow
        #expect(cloud.requests.filter { $0["grant"] as? String == "device_code" }.count == 4, "pending and three 502s, no more")
    }

    @Test("a 5xx naming the gateway's invalid_access_token is final at once")
    func deadTokenFaultIsFinal() throws {
        let cloud = try FakeBMWCloud()
        let loop = try EventLoop()
        let http = HTTPClient(loop: loop)
        let auth = authorizer(cloud, clientID: "dead-token", loop: loop, http: http)
        var result: Result<CarDataTokens, CarDataError>?
        auth.login { result = $0 }
        #expect(loop.run(timeout: 20) { result != nil })
        guard case .failure(let error) = result else {
            Issue.record("the login should fail")
            return
        }
        #expect(error.description.contains(TokenPollOutcome.invalidAccessTokenFault), "\(error.description)")
        #expect(cloud.requests.filter { $0["grant"] as? String == "device_code" }.count == 2)
        #expect(auth.serverErrors == 0)
    }

    @Test("without verification_uri_complete the link carries ?user_code=; without expires_in the code lives 600 s")
    func oneClickLinkAndLifetime() throws {
        let cloud = try FakeBMWCloud()
        let loop = try EventLoop()
        let http = HTTPClient(loop: loop)
        let auth = authorizer(cloud, clientID: "no-link", loop: loop, http: http)
        let started = Int64(Date().timeIntervalSince1970)
        auth.login { _ in }
        #expect(loop.run(timeout: 10) { if case .waitingForUser = auth.loginState { return true } else { return false } })
        guard case .waitingForUser(let grant, let deadline) = auth.loginState else { return }
        #expect(grant.verificationURIComplete == "http://127.0.0.1:\(cloud.port)/link?user_code=ABCD-1234")
        #expect(grant.expiresIn == 600 && deadline >= started + 600 && deadline <= started + 602)
        auth.cancelAll()
    }
}
