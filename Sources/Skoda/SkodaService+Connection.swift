import HTTPClient
import JSON
import Runtime
import ServiceKit
import Uplink

/// Tokens and the broker connection. The connect, refusal, backoff and SUBACK policy is the
/// shared `CloudBrokerSession`'s; Skoda's own part is the credentials (user id, a fresh
/// access token and the TOTP at every connect) and where tokens come from.
extension SkodaService {
    /// What the broker gets at a connect attempt; nil (the session then asks for a refresh)
    /// when the token is gone or about to go.
    func credentials() -> MQTTCredentials? {
        let now = wallClock()
        guard let token = accessToken, !token.expiresWithin(60, now: now) else { return nil }
        let code = SkodaTOTP.code(fcmToken: settings.fcmToken, unixTime: now)
        return MQTTCredentials(username: settings.userID, password: token.value,
                               userProperties: [MQTTUserProperty("auth_method", "totp_v1"),
                                                MQTTUserProperty("auth_credentials", code)])
    }

    /// The session's news as health, in the session's words; a login refused with a fresh
    /// access token means the TOTP is refused, which only a person can mend.
    func happened(_ event: CloudBrokerEvent) {
        if case .loginRefused(let code, let afterFreshToken) = event {
            stats.authRefusals += 1
            guard afterFreshToken else { return }
            let error = SkodaError.staleFCMToken(refusal: code.name)
            context.log.error(error.advice)
            context.report(attention: .needsPerson)
            context.report(.degraded(error.description))
        } else if event == .connected {
            // Tests and people look for this line: the broker took the login.
            context.log.info("connected to the MySkoda broker, " + String(settings.filters.count) + " subscription(s)")
        } else if event == .subscribed {
            context.report(attention: .none)
            context.report(.ok)
        } else if let problem = event.problem {
            context.report(.degraded("MySkoda broker " + problem))
        }
    }

    /// Starts a refresh unless one is running; the connection resumes when it succeeds.
    func refresh(reason: String) {
        guard !refresher.isRefreshing else { return }
        retryTimer?.cancel()
        retryTimer = nil
        context.log.info("refreshing the access token (" + reason + ")")
        refresher.refresh(refreshToken) { [self] result in self.refreshed(result) }
    }

    private func refreshed(_ result: Result<SkodaTokenRefresher.Tokens, SkodaError>) {
        switch result {
        case .success(let tokens):
            stats.refreshes += 1
            lastRefreshError = nil
            refreshBackoff.reset()
            accessToken = tokens.access
            if tokens.refresh != refreshToken {
                refreshToken = tokens.refresh
                do throws(SkodaError) { try tokenFile.save(tokens.refresh, configured: settings.refreshToken) } catch {
                    context.log.error("cannot keep the rotated refresh token: " + error.description)
                }
            }
            context.log.info("access token valid until "
                + WallClock.iso8601(millisecondsSinceEpoch: tokens.access.expires * 1000))
            guard let cloud else { return }
            // A failed refresh said degraded; a good one while connected says so no longer.
            if cloud.client.isConnected && cloud.subscriptionRefusal == nil { context.report(.ok) }
            if !cloudStarted {
                cloudStarted = true
                cloud.start()
            } else {
                // Skoda's broker keeps a live connection past the old token's end: no reconnect.
                cloud.tokenReady(reconnect: false)
            }
        case .failure(let error):
            stats.refreshFailures += 1
            lastRefreshError = error.description
            context.log.warning(error.description)
            context.report(.degraded(error.description))
            let delay = refreshBackoff.nextDelay()
            retryTimer = context.loop.after(delay) { [self] in
                self.retryTimer = nil
                self.refresh(reason: "retry")
            }
        }
    }

    /// Every 30 s: refresh 10 minutes ahead of expiry; after a clock jump (a suspend, during
    /// which the monotonic clock stood still) refresh first and reconnect with the new token.
    func checkToken() {
        let wall = wallClock()
        let mono = context.clock.now()
        let jump = (wall - lastWall) - (mono - lastMono).milliseconds / 1000
        lastWall = wall
        lastMono = mono
        tracker.expire(now: mono)
        if jump > SkodaService.clockJumpThreshold {
            stats.clockJumps += 1
            context.log.warning("the wall clock jumped \(jump) s (suspended?): new token, then reconnect")
            cloud?.needToken("clock jump")
            return
        }
        if let token = accessToken, token.expiresWithin(SkodaService.refreshMargin, now: wall) {
            refresh(reason: "expires in \(token.expires - wall) s")
        }
    }
}
