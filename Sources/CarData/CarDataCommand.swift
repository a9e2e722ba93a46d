import CLI
import HTTPClient
import Runtime
import ServiceKit
import Store

/// `switchyard bmw login|credentials|catalogue|status`: the BMW CarData login and tools on
/// the command line, as the Python seed offers them (main.py, --credentials-only,
/// bmw_catalogue.py). Uses the same settings and saved login as the gateway's `bmw` service.
enum CarDataCommand {
    /// `bmw` in the `bmw` service's descriptor.
    static var command: ServiceCommand {
        ServiceCommand("bmw", summary: "BMW CarData: login | credentials | status | catalogue (see `switchyard help bmw`)",
                       help: help) { arguments, environment throws(UsageError) in
            try main(arguments, schema: environment.schema)
        }
    }

    static let help = """
    Usage: switchyard bmw login | credentials | status | catalogue [--refresh|--stats|--list-categories|--search TEXT|--category CAT]
           [--data DIR] [--config FILE]

    login        Device-code login with PKCE: prints the URL to open (the complete form too)
                 and the code to enter, waits for you, then saves the login as secrets in the
                 config (and in bmw.token_file, BMW_TOKEN_FILE, if set). Restart the gateway
                 (or `switchyard config set` anything) for a running gateway to pick it up.
    credentials  Host, Port, Username, Topic, Password (the id_token) and Expires for another
                 MQTT client; keeps refreshing and prints the new password each time (Ctrl-C ends).
                 The only place a token is shown: on this terminal.
    status       Whether a login is saved and when it ends (never its value).
    catalogue    BMW's data catalogue, cached in the data directory (default --stats).
    Needs bmw.client_id (BMW_CLIENT_ID).
    """

    static func main(_ arguments: [String], schema: ConfigSchema) throws(UsageError) -> Int32 {
        // The catalogue's flags are the seed's bmw_catalogue.py options; Arguments knows only
        // the flags every subcommand shares, so these are taken out first.
        let catalogueFlags: Set<String> = ["--refresh", "--stats", "--list-categories"]
        let flags = Set(arguments.filter { catalogueFlags.contains($0) })
        let parsed = try Arguments(arguments.filter { !catalogueFlags.contains($0) },
                                   valued: ["--data", "--config", "--search", "--category"])
        if parsed.wantsHelp {
            Output.line(help)
            return 0
        }
        guard let verb = parsed.positionals.first else { throw UsageError("expected login, credentials, status or catalogue") }
        let store = ConfigStore(schema: schema, dataDirectory: DataDirectory.resolve(parsed.value("--data")),
                                boardDefaultsPath: parsed.value("--config"))
        let loop: EventLoop
        do throws(RuntimeError) { loop = try EventLoop() } catch {
            Output.error("switchyard bmw: " + error.description)
            return 1
        }
        let http = HTTPClient(loop: loop)
        let authorizer = CarDataAuthorizer(http: http, loop: loop, log: Logger("bmw"),
                                           authURL: store.string(CarDataConfigKeys.authURL),
                                           clientID: store.string(CarDataConfigKeys.clientID),
                                           caFile: store.string(CarDataConfigKeys.httpCAFile))
        switch verb {
        case "login": return login(store, loop, authorizer)
        case "credentials": return credentials(store, loop, authorizer)
        case "status": return status(store)
        case "catalogue": return catalogue(store, loop, http, parsed, flags)
        default: throw UsageError("unknown bmw command \"" + verb + "\"; use login, credentials, status or catalogue")
        }
    }

    private static func login(_ store: ConfigStore, _ loop: EventLoop, _ authorizer: CarDataAuthorizer) -> Int32 {
        guard !store.string(CarDataConfigKeys.clientID).isEmpty else {
            Output.error("switchyard bmw login: bmw.client_id is not set: set it (switchyard config set bmw.client_id ID, "
                + "or BMW_CLIENT_ID) to the client id from BMW's CarData portal")
            return 1
        }
        var status: Int32 = 1
        var finished = false
        authorizer.onLoginState = { state in
            if case .waitingForUser(let grant, _) = state { Output.line(CarDataService.instructions(grant)) }
        }
        authorizer.login { result in
            switch result {
            case .success(let tokens):
                status = save(CarDataLogin(tokens), store) ? 0 : 1
                if status == 0 { Output.line("Logged in; the login is saved (valid until " + CivilTime.format(tokens.refreshTokenExpiry) + "Z).") }
            case .failure(let error):
                Output.error("switchyard bmw login: " + error.description)
            }
            finished = true
            loop.stop()
        }
        // A login that fails at once (before any request) has already called back: a stop
        // before the loop runs would be lost and the loop would run for ever.
        if !finished { run(loop) }
        return status
    }

    private static func save(_ login: CarDataLogin, _ store: ConfigStore) -> Bool {
        do throws(CarDataError) {
            try login.save(to: store)
            let file = store.string(CarDataConfigKeys.tokenFile)
            if !file.isEmpty { try login.exportSeedFile(file) }
            return true
        } catch {
            Output.error("switchyard bmw: " + error.description)
            return false
        }
    }

    private static func savedLogin(_ store: ConfigStore) -> CarDataLogin? {
        var login = CarDataLogin.load(from: store)
        let file = store.string(CarDataConfigKeys.tokenFile)
        if !file.isEmpty, case .success(let imported)? = CarDataLogin.importSeedFile(file),
           login == nil || imported.refreshTokenExpiry > login!.refreshTokenExpiry {
            login = imported
        }
        return login
    }

    private static func credentials(_ store: ConfigStore, _ loop: EventLoop, _ authorizer: CarDataAuthorizer) -> Int32 {
        guard let first = savedLogin(store) else {
            Output.error("switchyard bmw credentials: not logged in; run `switchyard bmw login` first")
            return 1
        }
        var login = first
        var status: Int32 = 0
        var finished = false
        let host = store.string(CarDataConfigKeys.mqttHost), port = store.integer(CarDataConfigKeys.mqttPort)
        let vins = store.value(CarDataConfigKeys.vins)
        func refresh() {
            authorizer.refresh(login) { result in
                switch result {
                case .failure(let error):
                    Output.error("switchyard bmw credentials: " + error.description)
                    status = 1
                    finished = true
                    loop.stop()
                case .success(let tokens):
                    login = CarDataLogin(tokens)
                    _ = save(login, store)
                    let topics = vins.isEmpty ? [tokens.gcid + "/+"] : vins.map { tokens.gcid + "/" + $0 }
                    let rule = String(repeating: "=", count: 60)
                    Output.line("MQTT Connection Information\n" + rule + "\nHost: " + host + "\nPort: " + String(port)
                                + "\nUsername: " + tokens.gcid + "\nTopic: " + topics.joined(separator: ", ") + "\n" + rule
                                + "\nPassword: " + tokens.idToken + "\nExpires: " + CivilTime.format(tokens.idTokenExpiry) + "Z")
                    let now = WallClock.millisecondsSinceEpoch() / 1000
                    let delay = RefreshSchedule.delay(obtained: now, idTokenExpiry: tokens.idTokenExpiry, now: now)
                    _ = loop.after(.seconds(delay)) { refresh() }
                }
            }
        }
        refresh()
        if !finished { run(loop) }
        return status
    }

    private static func status(_ store: ConfigStore) -> Int32 {
        guard let login = savedLogin(store) else {
            Output.line("not logged in (run `switchyard bmw login`)")
            return 1
        }
        Output.line("logged in: refresh token set, valid until " + CivilTime.format(login.refreshTokenExpiry) + "Z")
        return 0
    }

    private static func catalogue(_ store: ConfigStore, _ loop: EventLoop, _ http: HTTPClient, _ parsed: Arguments,
                                  _ flags: Set<String>) -> Int32 {
        let path = store.dataDirectory + "/bmw_data_catalogue.json"
        var catalogue = CarDataCatalogue()
        if case .success(let cached)? = CarDataCatalogue.load(path) { catalogue = cached }
        if flags.contains("--refresh") || catalogue.isEmpty {
            let url = store.string(CarDataConfigKeys.catalogueURL)
            let fetch = CarDataCatalogueFetch(http: http, baseURL: url, caFile: store.string(CarDataConfigKeys.httpCAFile))
            var failed = false
            var finished = false
            fetch.run { result in
                switch result {
                case .success(let fresh):
                    catalogue = fresh
                    do throws(CarDataError) {
                        try fresh.save(path, fetchedAt: WallClock.millisecondsSinceEpoch() / 1000, source: url)
                        Output.line("Cache refreshed: " + String(fresh.items.count) + " items in " + path)
                    } catch {
                        Output.error("switchyard bmw catalogue: " + error.description)
                    }
                case .failure(let error):
                    Output.error("switchyard bmw catalogue: " + error.description)
                    failed = true
                }
                finished = true
                loop.stop()
            }
            if !finished { run(loop) }
            if failed { return 1 }
        }
        if let text = parsed.value("--search") {
            for item in catalogue.search(text) { Output.line(item.id + " - " + item.name + (item.unit.map { " [" + $0 + "]" } ?? "")) }
        } else if let category = parsed.value("--category") {
            for item in catalogue.items(in: category) { Output.line(item.id + " - " + item.name) }
        } else if flags.contains("--list-categories") {
            for name in catalogue.categoryNames {
                let description = catalogue.categories[name]?.description ?? ""
                Output.line(description.isEmpty ? name : name + ": " + description)
            }
        } else if !flags.contains("--refresh") || flags.contains("--stats") {
            for line in catalogue.statsLines { Output.line(line) }
        }
        return 0
    }

    private static func run(_ loop: EventLoop) {
        do throws(RuntimeError) { try loop.run() } catch { Output.error("switchyard bmw: " + error.description) }
    }
}
