import JSON
import ServiceKit
import Uplink

extension CarDataService {
    /// `bmw status|login|logout|refresh|credentials|catalogue ...`.
    public var commands: [Command] {
        [Command("bmw", usage: "status|login|logout|refresh|credentials|catalogue [--refresh|--stats|--list-categories|--search TEXT|--category CAT]",
                 help: "BMW CarData: state, device-code login, forget the login, refresh tokens now, MQTT credentials (console only), the data catalogue.",
                 remote: .readOnly(["", "status", "catalogue", "catalogue --stats", "catalogue --list-categories",
                                    "catalogue --search ...", "catalogue --category ..."])) {
            [self] request in self.command(request)
        }]
    }

    private func command(_ request: CommandRequest) -> CommandReply {
        let verb = request.argument(0) ?? "status"
        switch verb {
        case "status":
            return context.statusReply(stateJSON())
        case "login":
            guard let authorizer else { return .failure(notRunning) }
            if case .waitingForUser(let grant, _) = authorizer.loginState { return .text(CarDataService.instructions(grant)) }
            guard beginLogin() else { return .failure(notRunning) }
            return .text("login started: the verification URL and code follow in the log and on `bmw status` "
                         + "(BMW answers within seconds); the LED shows \"authorisation needed\" until you are done")
        case "logout":
            do throws(CarDataError) { try CarDataLogin.clear(in: context.store) } catch { return .failure(error.description) }
            return .text("login forgotten; the stream stops when the service restarts (now)")
        case "refresh":
            guard started, loginPresent else { return .failure(started ? "not logged in: run `bmw login`" : notRunning) }
            refreshNow()
            return .text("refreshing the tokens")
        case "credentials":
            // The only place a token is ever shown: on the terminal that asked, never on MQTT or RPC.
            guard request.origin == .console else {
                return .failure("credentials are shown only on the console or with `switchyard bmw credentials`")
            }
            guard let text = credentialsText else { return .failure("no tokens yet: log in (`bmw login`) or wait for the refresh") }
            return .text(text)
        case "catalogue":
            return catalogueCommand(Array(request.arguments.dropFirst()))
        default:
            return .failure("unknown bmw command \"" + verb + "\"; use status, login, logout, refresh, credentials or catalogue")
        }
    }

    /// The seed's credentials-only block (the password is the id_token).
    public var credentialsText: String? {
        guard let tokens else { return nil }
        let topics = settings.stream.vins.isEmpty ? [tokens.gcid + "/+"] : settings.stream.vins.map { tokens.gcid + "/" + $0 }
        let rule = String(repeating: "=", count: 60)
        return "MQTT Connection Information\n" + rule + "\nHost: " + settings.stream.host + "\nPort: "
            + String(settings.stream.port) + "\nUsername: " + tokens.gcid + "\nTopic: " + topics.joined(separator: ", ")
            + "\n" + rule + "\nPassword: " + tokens.idToken + "\nExpires: " + CivilTime.format(tokens.idTokenExpiry) + "Z"
    }

    /// What to tell the user while BMW waits for them.
    public static func instructions(_ grant: DeviceCodeGrant) -> String {
        "BMW CarData authentication required\nUser code: " + grant.userCode + "\nPlease visit: "
            + grant.verificationURIComplete + "\nOR visit " + grant.verificationURI + " and enter the user code."
    }

    private func catalogueCommand(_ options: [String]) -> CommandReply {
        let option = options.first ?? "--stats"
        switch option {
        case "--refresh":
            guard started else { return .failure(notRunning) }
            refreshCatalogue()
            return .text("fetching the catalogue (" + String(catalogue.items.count) + " items cached now)")
        case "--stats":
            return .text(catalogue.statsLines.joined(separator: "\n"))
        case "--list-categories":
            return .text(catalogue.categoryNames.map { name in
                let description = catalogue.categories[name]?.description ?? ""
                return description.isEmpty ? name : name + ": " + description
            }.joined(separator: "\n"))
        case "--search", "--category":
            guard options.count >= 2 else { return .failure("usage: bmw catalogue " + option + " TEXT") }
            let text = options.dropFirst().joined(separator: " ")
            let found = option == "--search" ? catalogue.search(text) : catalogue.items(in: text)
            if found.isEmpty { return .text("no items") }
            return .text(found.map { item in
                item.id + " - " + item.name + (item.unit.map { " [" + $0 + "]" } ?? "")
            }.joined(separator: "\n"))
        default:
            return .failure("usage: bmw catalogue --refresh|--stats|--list-categories|--search TEXT|--category CAT")
        }
    }

    var loginPresent: Bool { login != nil }

    var notRunning: String {
        context.notRunningText("BMW CarData", enableHint: "set bmw.enabled true and bmw.client_id")
    }

    /// The `state` block: where the login and stream stand, counters; secrets as "set" only.
    func stateObject() -> JSONValue {
        var object = JSONObject(minimumCapacity: 24)
        object.append("state", .string(stateName))
        if let authorizer, case .waitingForUser(let grant, let deadline) = authorizer.loginState {
            object.append("login", ["verification_uri": .string(grant.verificationURI),
                                    "verification_uri_complete": .string(grant.verificationURIComplete),
                                    "user_code": .string(grant.userCode),
                                    "expires_in_s": .int(max(0, deadline - wallClock()))])
        }
        if let login {
            object.append("refresh_token", "set")
            object.append("refresh_token_expires", .string(CivilTime.format(login.refreshTokenExpiry) + "Z"))
            if refreshTokenWarning { object.append("warning", "the login ends within a day: run `bmw login`") }
        } else {
            object.append("refresh_token", "none")
        }
        if let tokens { object.append("id_token_expires", .string(CivilTime.format(tokens.idTokenExpiry) + "Z")) }
        if let stream {
            object.append("stream", .string(stream.client.state.name))
            object.append("topics", .int(stream.topics.count))
            object.append("refusals", .int(stream.refusals))
            if let refusal = stream.lastRefusal { object.append("last_refusal", .string(refusal.name)) }
            object.append("breaker_trips", .int(stream.breakerTrips))
            object.append("subscription_refusals", .int(stream.session.subscriptionRefusals))
        }
        object.append("messages", .int(stats.messages))
        object.append("malformed", .int(stats.malformed))
        object.append("bad_readings", .int(stats.badReadings))
        object.append("republished", .int(republisher?.republished ?? 0))
        object.append("values", .int(republisher?.valuesPublished ?? 0))
        object.append("refreshes", .int(stats.refreshes))
        object.append("refresh_failures", .int(stats.refreshFailures))
        object.append("bad_responses", .int(authorizer?.badResponses ?? 0))
        object.append("login_server_errors", .int(authorizer?.serverErrors ?? 0))
        object.append("catalogue_items", .int(catalogue.items.count))
        if stats.lastMessageAt > 0 { object.append("last_message", .string(CivilTime.format(stats.lastMessageAt) + "Z")) }
        if let problem { object.append("problem", .string(problem.description)) }
        return .object(object)
    }
}
