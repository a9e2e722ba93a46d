import HTTPClient
import JSON
import Runtime
import ServiceKit
import Store
import Uplink

/// BMW CarData as a service: keeps the login fresh (device-code login, refresh ahead of the
/// id_token's end), holds the ONE stream connection of the account, and republishes what the
/// car sends on the local broker. Tokens stay in memory and the config store (as secrets);
/// `state` shows "set" and expiry times, never a value.
public final class CarDataService: Service {
    /// The catalogue's entry.
    public static var descriptor: ServiceDescriptor {
        ServiceDescriptor(
            name: "bmw", summary: "BMW CarData: device-code login, token refresh, the car's stream republished locally.",
            enabled: CarDataConfigKeys.enabled, keys: CarDataConfigKeys.all, sharedKeys: [StandardKeys.mqttDebug.any],
            storedKeys: CarDataConfigKeys.stored, commands: [CarDataCommand.command],
            make: { context in CarDataService(context: context) })
    }

    let context: ServiceContext
    let settings: CarDataSettings
    private(set) var http: HTTPClient?
    private(set) var authorizer: CarDataAuthorizer?
    /// The stream, while the account has a usable login.
    public private(set) var stream: CarDataStream?
    private(set) var republisher: CarDataRepublisher?
    public private(set) var catalogue = CarDataCatalogue()
    /// The fresh tokens (memory only).
    private(set) var tokens: CarDataTokens?
    private(set) var tokensObtained: Int64 = 0
    private(set) var login: CarDataLogin?
    private var refreshTimer: OneShotTimer?
    private var refreshing = false
    private var refreshBackoff = ReconnectBackoff(initial: .seconds(5), maximum: .seconds(300))
    private var warningTask: FixedRateTask?
    private var catalogueFetch: CarDataCatalogueFetch?
    private(set) var started = false
    private let limiter: LogLimiter
    /// Called with each new token set while `bmw credentials` watches (the CLI prints them).
    public var onTokens: ((CarDataTokens) -> Void)?
    /// Seconds since the epoch (replaceable so tests can move time).
    public var wallClock: () -> Int64 = { WallClock.millisecondsSinceEpoch() / 1000 }

    public private(set) var stats = CarDataStats()
    /// Each car's last values, for the dashboard's readings (`CarDataService+Readings`).
    var latest = LatestValues()
    /// Why the service is not streaming, when it is not.
    public private(set) var problem: CarDataProblem?
    private(set) var refreshTokenWarning = false

    public init(context: ServiceContext) {
        self.context = context
        settings = CarDataSettings(store: context.store, node: context.node)
        limiter = LogLimiter(log: context.log, clock: context.loop.clock)
    }

    // MARK: lifecycle

    public func start() throws(ServiceError) {
        guard !started else { return }
        if let problem = settings.problem { throw .invalidSetting(key: problem.key, reason: problem.reason) }
        started = true
        // The gateway's one HTTP client (libcurl multi in the run loop), shared with other services.
        let http = context.http
        self.http = http
        let authorizer = CarDataAuthorizer(http: http, loop: context.loop, log: context.log, authURL: settings.authURL,
                                           clientID: settings.clientID, caFile: settings.httpCAFile)
        authorizer.wallClock = { [self] in self.wallClock() }
        authorizer.onLoginState = { [self] state in self.loginStateChanged(state) }
        self.authorizer = authorizer
        republisher = CarDataRepublisher(port: context.port, rawPrefix: settings.rawTopic, topicPrefix: context.topicPrefix,
                                         discovery: settings.discovery ? context.homeAssistant(prefix: settings.discoveryPrefix) : nil)
        loadCatalogue()
        login = CarDataLogin.load(from: context.store)
        importSeedFile()
        warningTask = context.loop.addTask("bmw.token-check", every: .seconds(3600)) { [self] in self.checkRefreshToken() }
        if login == nil {
            needLogin(.notLoggedIn)
        } else {
            refreshNow()
        }
    }

    public func stop() {
        guard started else { return }
        started = false
        refreshTimer?.cancel()
        refreshTimer = nil
        warningTask?.cancel()
        warningTask = nil
        authorizer?.cancelAll()
        catalogueFetch?.cancel()
        catalogueFetch = nil
        stream?.stop()
        stream = nil
        http = nil
        authorizer = nil
        context.report(attention: .none)
    }

    // MARK: login and refresh

    /// Starts the device-code login; the URL and code appear in the log, `state` and the reply.
    @discardableResult
    public func beginLogin(completion: ((Result<CarDataTokens, CarDataError>) -> Void)? = nil) -> Bool {
        guard let authorizer else { return false }
        authorizer.login { [self] result in
            switch result {
            case .success(let tokens):
                self.adopt(tokens)
                self.context.log.info("login complete for the account (gcid set); streaming")
            case .failure(let error):
                if self.login == nil { self.needLogin(.loginFailed(error)) }
            }
            completion?(result)
        }
        return true
    }

    private func loginStateChanged(_ state: CarDataAuthorizer.LoginState) {
        if case .waitingForUser = state { context.report(attention: .needsPerson) } else if login != nil || tokens != nil {
            context.report(attention: .none)
        }
        context.report(health)
    }

    /// Refreshes the tokens now (at start, on schedule, when the broker refused the old one).
    public func refreshNow() {
        guard let authorizer, let login, !refreshing else { return }
        refreshTimer?.cancel()
        refreshTimer = nil
        refreshing = true
        authorizer.refresh(login) { [self] result in
            self.refreshing = false
            guard self.started else { return }
            switch result {
            case .success(let tokens):
                self.refreshBackoff.reset()
                self.adopt(tokens)
            case .failure(let error):
                self.stats.refreshFailures += 1
                if case .tokenRefused(_, _, .invalidGrant) = error {
                    // BMW no longer takes this refresh token: only a new login helps.
                    self.needLogin(.loginRefused(error))
                    return
                }
                let delay = self.refreshBackoff.nextDelay()
                self.problem = .refreshFailed(error, retrySeconds: delay.milliseconds / 1000)
                self.context.log.warning("token refresh failed: " + error.description)
                self.context.report(self.health)
                self.refreshTimer = self.context.loop.after(delay) { [self] in self.refreshNow() }
            }
        }
    }

    /// New tokens: persist the login, export the seed file, (re)connect the stream, plan the
    /// next refresh.
    private func adopt(_ fresh: CarDataTokens) {
        tokens = fresh
        tokensObtained = wallClock()
        stats.refreshes += 1
        let newLogin = CarDataLogin(fresh)
        if newLogin != login {
            login = newLogin
            do throws(CarDataError) { try newLogin.save(to: context.store) } catch {
                context.log.error(error.description)
            }
            if !settings.tokenFile.isEmpty {
                do throws(CarDataError) { try newLogin.exportSeedFile(settings.tokenFile) } catch {
                    context.log.error(error.description)
                }
            }
        }
        problem = nil
        context.report(attention: .none)
        checkRefreshToken()
        connectStream(with: fresh)
        let delay = RefreshSchedule.delay(obtained: tokensObtained, idTokenExpiry: fresh.idTokenExpiry, now: wallClock())
        refreshTimer?.cancel()
        refreshTimer = context.loop.after(.seconds(delay)) { [self] in self.refreshNow() }
        context.log.info("tokens refreshed; id_token valid until " + CivilTime.format(fresh.idTokenExpiry)
                         + "Z, next refresh in " + String(delay / 60) + " min")
        onTokens?(fresh)
        context.report(health)
    }

    private func connectStream(with fresh: CarDataTokens) {
        if let stream, stream.gcid == fresh.gcid {
            stream.use(idToken: fresh.idToken)
            return
        }
        // Another account (a new login): never two connections, so the old one goes first.
        stream?.stop()
        stream = nil
        do throws(UplinkError) {
            let stream = try CarDataStream(settings: settings.stream, gcid: fresh.gcid, idToken: fresh.idToken,
                                           loop: context.loop, log: context.log)
            stream.onNeedToken = { [self] in self.refreshNow() }
            stream.onMessage = { [self] message in self.received(message) }
            stream.onChange = { [self] in self.context.report(self.health) }
            self.stream = stream
            stream.start()
        } catch {
            problem = .streamSetupFailed(error)
            context.report(health)
        }
    }

    private func needLogin(_ why: CarDataProblem) {
        tokens = nil
        stream?.stop()
        stream = nil
        problem = why
        context.report(attention: .needsPerson)
        context.report(health)
    }

    private func importSeedFile() {
        guard !settings.tokenFile.isEmpty, let result = CarDataLogin.importSeedFile(settings.tokenFile) else { return }
        switch result {
        case .failure(let error):
            context.log.warning("token file " + settings.tokenFile + " ignored: " + error.description)
        case .success(let imported):
            // The newer login wins: the Python client may have logged in since we last ran.
            guard login == nil || imported.refreshTokenExpiry > login!.refreshTokenExpiry else { return }
            login = imported
            context.log.info("imported the login from " + settings.tokenFile)
            do throws(CarDataError) { try imported.save(to: context.store) } catch { context.log.error(error.description) }
        }
    }

    private func checkRefreshToken() {
        guard let login else { return }
        let ending = RefreshSchedule.refreshTokenEnding(login.refreshTokenExpiry, now: wallClock())
        if ending && !refreshTokenWarning {
            context.log.warning("the BMW login ends at " + CivilTime.format(login.refreshTokenExpiry)
                                + "Z: run `bmw login` before then")
        }
        refreshTokenWarning = ending
    }

    // MARK: stream messages

    private func received(_ message: MQTTMessage) {
        stats.messages += 1
        switch CarDataMessage.parse(topic: message.topic, payload: message.payload) {
        case .failure(let error):
            stats.malformed += 1
            _ = limiter.warning("malformed", "stream message on " + message.topic + " dropped: " + error.description)
        case .success(let parsed):
            stats.badReadings += parsed.badReadings
            stats.lastMessageAt = wallClock()
            republisher?.publish(parsed, payload: message.payload, catalogue: catalogue)
            latest.record(parsed.readings.map { ($0.key, $0.value, $0.unit) }, for: parsed.vin, at: wallClock())
            if settings.logRaw {
                context.log.info(message.topic + " " + String(decoding: message.payload, as: UTF8.self))
            } else {
                for reading in parsed.readings { context.log.info(reading.displayLine(catalogue: catalogue)) }
            }
        }
    }

    // MARK: catalogue

    var cataloguePath: String { context.store.dataDirectory + "/bmw_data_catalogue.json" }

    private func loadCatalogue() {
        switch CarDataCatalogue.load(cataloguePath) {
        case .some(.success(let loaded)): catalogue = loaded
        case .some(.failure(let error)):
            context.log.warning("catalogue cache ignored: " + error.description)
            refreshCatalogue()
        case .none: refreshCatalogue()
        }
    }

    /// Fetches every catalogue page and replaces the cache; `completion` gets the outcome.
    public func refreshCatalogue(completion: ((Result<Int, CarDataError>) -> Void)? = nil) {
        guard let http, catalogueFetch == nil else {
            completion?(.failure(.transport("a catalogue fetch is already running or the service is stopped")))
            return
        }
        let fetch = CarDataCatalogueFetch(http: http, baseURL: settings.catalogueURL, caFile: settings.httpCAFile)
        catalogueFetch = fetch
        fetch.run { [self] result in
            self.catalogueFetch = nil
            switch result {
            case .success(let fresh):
                self.catalogue = fresh
                do throws(CarDataError) {
                    try fresh.save(self.cataloguePath, fetchedAt: self.wallClock(), source: self.settings.catalogueURL)
                } catch {
                    self.context.log.warning(error.description)
                }
                self.context.log.info("catalogue: " + String(fresh.items.count) + " items")
                completion?(.success(fresh.items.count))
            case .failure(let error):
                self.stats.catalogueFailures += 1
                self.context.log.warning("catalogue fetch failed: " + error.description)
                completion?(.failure(error))
            }
        }
    }

    // MARK: health and state

    var health: ServiceHealth {
        if let problem { return .degraded(problem.description) }
        if let authorizer, case .waitingForUser(let grant, _) = authorizer.loginState {
            return .degraded("authorisation needed: open " + grant.verificationURIComplete)
        }
        if let stream, stream.breakerIsOpen { return .degraded("stream paused by the circuit breaker") }
        if let stream, let refusal = stream.session.subscriptionRefusal { return .degraded("stream " + refusal.description) }
        return .ok
    }

    /// What the service is doing, in a word or three.
    public var stateName: String {
        if let authorizer, authorizer.isLoggingIn { return authorizer.loginState.name }
        if login == nil { return "login needed" }
        if let stream {
            if stream.client.isConnected { return "streaming" }
            if stream.breakerIsOpen { return "circuit breaker open" }
            return stream.client.state.name
        }
        return tokens == nil ? "refreshing" : "idle"
    }

    public func stateJSON() -> JSONValue { stateObject() }
}
