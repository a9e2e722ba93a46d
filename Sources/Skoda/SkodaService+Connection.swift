import HTTPClient
import JSON
import Runtime
import ServiceKit
import Uplink

/// Tokens and the broker connection: a fresh access token and TOTP for every connect, one
/// refresh after a "not authorized", a refresh ahead of expiry, and after a suspend.
extension SkodaService {
    /// What the broker gets at a connect attempt; nil (and a refresh) when the token is gone
    /// or about to go.
    func credentials() -> MQTTCredentials? {
        let now = wallClock()
        guard let token = accessToken, !token.expiresWithin(60, now: now) else {
            cloud?.pause()
            refresh(reason: accessToken == nil ? "no access token yet" : "access token expired before connecting")
            return nil
        }
        let code = SkodaTOTP.code(fcmToken: settings.fcmToken, unixTime: now)
        return MQTTCredentials(username: settings.userID, password: token.value,
                               userProperties: [MQTTUserProperty("auth_method", "totp_v1"),
                                                MQTTUserProperty("auth_credentials", code)])
    }

    func connectResult(_ result: MQTTConnectResult) {
        switch result {
        case .accepted:
            refreshedAfterRefusal = false
            context.log.info("connected to the MySkoda broker, " + String(settings.filters.count) + " subscription(s)")
            context.report(.ok)
        case .refused(let code):
            if code.isAuthenticationFailure { stats.authRefusals += 1 }
            if code.isAuthenticationFailure && !refreshedAfterRefusal {
                // Once: an expired or revoked token is the usual cause. A second refusal backs off.
                refreshedAfterRefusal = true
                cloud?.pause()
                refresh(reason: "broker said " + code.name)
            } else {
                context.report(.degraded("MySkoda broker refused the login: " + code.name))
            }
        case .failed(let why):
            context.report(.degraded("MySkoda broker unreachable: " + why))
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
            if cloud.isConnected { context.report(.ok) }
            if !cloudStarted {
                cloudStarted = true
                cloud.start()
            } else if cloud.isPaused {
                cloud.resume()
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
            cloud?.pause()
            refresh(reason: "clock jump")
            return
        }
        if let token = accessToken, token.expiresWithin(SkodaService.refreshMargin, now: wall) {
            refresh(reason: "expires in \(token.expires - wall) s")
        }
    }
}
