import Contracts
import JSON
import Runtime

/// Turns one line of JSON-RPC 2.0 into at most one line of reply by running the named
/// command from the registry: `method` is the command's name, a `params` array becomes its
/// arguments (non-string elements as their JSON text), a `params` object its named
/// parameters. A request without `id` is a notification: it runs, and gets no reply.
/// A batch (an array of requests) is answered with an array of the replies that are due.
/// `RPCServer` uses it per line; any other line transport can too.
///
/// With a `token`, a session must first call `auth` with it (`params: ["<token>"]` or
/// `{"token": "<token>"}`); until then every other method gets an error. After
/// `maxFailedAuthentications` wrong tokens a session is locked out: no token is checked any
/// more, and a batch stops running right there (its transport closes the connection), so a
/// batch cannot carry more guesses than separate lines can. Replies are kept
/// under `maxReplyBytes`: a reply (or a batch's replies together) that would be larger is
/// replaced by an error saying so, and a batch stops running there, so memory stays bounded.
///
/// A command that answers later (BLE pairing) makes the reply wait for it: the completion
/// is called when the answer comes. A batch runs its members in order, each after the one
/// before has answered, and is answered once all have. At most `maxPendingAnswers` such
/// answers are awaited at once; more are refused with an error saying so.
public final class JSONRPCDispatcher {
    /// Wrong tokens a session may send; the last one locks it out.
    public static let maxFailedAuthentications = 3

    public let registry: CommandRegistry
    /// The secret `auth` must present; nil when the door is open (loopback with `rpc.allow_local`).
    let token: String?
    public let maxReplyBytes: Int
    /// Answers of deferred commands awaited at once, over every session.
    public let maxPendingAnswers: Int
    private let log = Logger("rpc")
    /// Requests (batch members included) that named a method.
    public private(set) var requests = 0
    /// Error replies produced, including those a notification was not sent.
    public private(set) var errors = 0
    /// `auth` calls with a wrong token.
    public private(set) var failedAuthentications = 0
    /// Replies (or batches) replaced by an error because they were too large.
    public private(set) var oversizedReplies = 0
    /// Answers of deferred commands awaited now.
    public private(set) var pendingAnswers = 0

    /// One client's standing with the dispatcher. A class: a batch resumed by a later answer
    /// must see what its earlier members (an `auth`) did to it.
    public final class Session {
        public internal(set) var authenticated: Bool
        public internal(set) var failedAuthentications = 0

        init(authenticated: Bool) { self.authenticated = authenticated }

        /// Too many wrong tokens: nothing more is checked or run for it.
        public var isLockedOut: Bool { failedAuthentications >= JSONRPCDispatcher.maxFailedAuthentications }
    }

    public init(registry: CommandRegistry, token: String? = nil, maxReplyBytes: Int = 256 * 1024,
                maxPendingAnswers: Int = 8) {
        self.registry = registry
        self.token = token
        self.maxReplyBytes = maxReplyBytes
        self.maxPendingAnswers = maxPendingAnswers
    }

    /// A new client's session: authenticated already when there is no token, or when its
    /// transport vouches for the client (`trusted`: a local user allowed without the token).
    public func newSession(trusted: Bool = false) -> Session { Session(authenticated: token == nil || trusted) }

    /// The reply to `line` in a fresh session, for a one-shot transport that cannot wait: a
    /// command that answers later gets an error reply saying so.
    public func respond(to line: [UInt8]) -> String? {
        var immediate: String?? = nil
        respond(to: line, session: newSession()) { reply in immediate = .some(reply) }
        guard let immediate else {
            return failure(JSONRPCError(JSONRPCError.commandFailed,
                                        "the command answers later; this transport cannot wait for it"), id: .null)
                .serialized()
        }
        return immediate
    }

    /// Hands `completion` the reply to `line` without its newline, or nil when none is due (a
    /// notification, a blank line): exactly once, at once or when the last command it ran
    /// has answered.
    public func respond(to line: [UInt8], session: Session, completion: @escaping (String?) -> Void) {
        guard line.contains(where: { !JSONRPCDispatcher.isWhitespace($0) }) else { return completion(nil) }
        let request: JSONValue
        do throws(JSONError) { request = try JSONValue.parse(line) } catch {
            return completion(failure(JSONRPCError(JSONRPCError.parseError, "parse error: " + error.description),
                                      id: .null).serialized())
        }
        if case .array(let batch) = request {
            guard !batch.isEmpty else {
                return completion(failure(JSONRPCError(JSONRPCError.invalidRequest, "invalid request: empty batch"),
                                          id: .null).serialized())
            }
            advance(BatchRun(members: batch, session: session, completion: completion))
            return
        }
        respond(to: request, session: session) { [self] value in
            guard let reply = value?.serialized() else { return completion(nil) }
            guard reply.utf8.count <= self.maxReplyBytes else {
                return completion(self.tooLarge("the reply would exceed " + String(self.maxReplyBytes)
                                                + " bytes (the request ran)", id: JSONRPCDispatcher.id(of: request)))
            }
            completion(reply)
        }
    }

    /// A batch on its way: members run in order, each once the one before has answered.
    private final class BatchRun {
        let members: [JSONValue]
        let session: Session
        let completion: (String?) -> Void
        var index = 0
        var replies: [String] = []
        var size = 2
        var finished = false

        init(members: [JSONValue], session: Session, completion: @escaping (String?) -> Void) {
            self.members = members
            self.session = session
            self.completion = completion
        }
    }

    /// Runs the batch's next members until one answers later (its answer resumes the batch)
    /// or all have answered. A loop rather than recursion, so a long batch of immediate
    /// commands does not grow the stack.
    private func advance(_ run: BatchRun) {
        while !run.finished && run.index < run.members.count {
            if run.session.isLockedOut {
                lockOut(run)
                return
            }
            var answered = false
            var resumesLater = false
            respond(to: run.members[run.index], session: run.session) { [self] value in
                answered = true
                run.index += 1
                self.accept(value, into: run)
                if resumesLater { self.advance(run) }
            }
            if !answered {
                resumesLater = true
                return
            }
        }
        guard !run.finished else { return }
        run.finished = true
        run.completion(run.replies.isEmpty ? nil : "[" + run.replies.joined(separator: ",") + "]")
    }

    /// Ends a batch whose session has just sent its last allowed wrong token: the rest of it
    /// does not run (nor would it check another token), and one more error says why.
    private func lockOut(_ run: BatchRun) {
        run.finished = true
        let skipped = run.members.count - run.index
        let error = failure(JSONRPCError(JSONRPCError.authenticationFailed,
                                         String(JSONRPCDispatcher.maxFailedAuthentications) + " wrong tokens: the last "
                                             + String(skipped) + " requests of this batch did not run"),
                            id: .null).serialized()
        run.replies.append(error)
        run.completion("[" + run.replies.joined(separator: ",") + "]")
    }

    /// Adds one member's reply; a batch whose replies would grow past `maxReplyBytes` ends
    /// there (serialized one by one, so the size is known before the next member runs).
    private func accept(_ value: JSONValue?, into run: BatchRun) {
        guard let reply = value?.serialized() else { return }
        run.size += reply.utf8.count + 1
        guard run.size <= maxReplyBytes else {
            run.finished = true
            run.completion(tooLarge("the replies to this batch would exceed " + String(maxReplyBytes)
                                    + " bytes; the first " + String(run.index) + " of its " + String(run.members.count)
                                    + " requests ran, the rest did not: send smaller batches"))
            return
        }
        run.replies.append(reply)
    }

    private func tooLarge(_ message: String, id: JSONValue = .null) -> String {
        oversizedReplies += 1
        log.warning("RPC reply refused: " + message)
        return failure(JSONRPCError(JSONRPCError.replyTooLarge, message), id: id).serialized()
    }

    /// A request's usable id, or null.
    private static func id(of request: JSONValue) -> JSONValue {
        guard case .object(let object) = request, let id = object["id"] else { return .null }
        switch id {
        case .string, .number: return id
        default: return .null
        }
    }

    /// Hands `completion` the reply to one request value (nil for a notification), exactly once.
    private func respond(to request: JSONValue, session: Session, completion: @escaping (JSONValue?) -> Void) {
        let reply = prepare(request, session: session)
        guard case .run(let method, let commandRequest, let id, let isNotification) = reply else {
            if case .done(let value) = reply { completion(value) }
            return
        }
        let answersLater = registry.answersLater(method)
        if answersLater && pendingAnswers >= maxPendingAnswers {
            return completion(answer(JSONRPCError(JSONRPCError.commandFailed,
                                                  "too many requests waiting for their answer (max "
                                                      + String(maxPendingAnswers) + "); try again when one has answered"),
                                     id: id, isNotification))
        }
        if answersLater { pendingAnswers += 1 }
        registry.execute(method, commandRequest) { [self] reply in
            if answersLater { self.pendingAnswers -= 1 }
            guard reply.ok else {
                return completion(self.answer(JSONRPCError(JSONRPCError.commandFailed, reply.output.text),
                                              id: id, isNotification))
            }
            completion(isNotification ? nil : self.result(reply.output.json, id: id))
        }
    }

    /// What to do with one request: reply at once (errors, `auth`), or run a command.
    private enum Preparation {
        case done(JSONValue?)
        case run(method: String, request: CommandRequest, id: JSONValue, isNotification: Bool)
    }

    /// Checks one request value and answers what needs no command.
    private func prepare(_ request: JSONValue, session: Session) -> Preparation {
        guard case .object(let object) = request else {
            return .done(failure(JSONRPCError(JSONRPCError.invalidRequest, "invalid request: expected an object"),
                                 id: .null))
        }
        var id = JSONValue.null
        if let given = object["id"] {
            switch given {
            case .string, .number, .null: id = given
            default:
                return .done(failure(JSONRPCError(JSONRPCError.invalidRequest,
                                                  "invalid request: \"id\" must be a string, a number or null"), id: .null))
            }
        }
        guard object["jsonrpc"] == .string("2.0") else {
            return .done(failure(JSONRPCError(JSONRPCError.invalidRequest, "invalid request: \"jsonrpc\" must be \"2.0\""),
                                 id: id))
        }
        guard case .string(let method)? = object["method"] else {
            return .done(failure(JSONRPCError(JSONRPCError.invalidRequest, "invalid request: \"method\" must be a string"),
                                 id: id))
        }
        // Only a request that is valid this far can be told to be a notification.
        let isNotification = object["id"] == nil
        requests += 1

        var arguments: [String] = []
        var parameters: JSONObject? = nil
        switch object["params"] {
        case nil:
            break
        case .array(let elements)?:
            arguments = elements.map { element in
                if case .string(let text) = element { return text }
                return element.serialized()
            }
        case .object(let named)?:
            parameters = named
        case let other?:
            return .done(answer(JSONRPCError(JSONRPCError.invalidParams,
                                             "invalid params: \"params\" must be an array or an object, not a "
                                                 + other.typeName), id: id, isNotification))
        }
        if method == "auth" { return .done(authenticate(object["params"], id: id, isNotification, session)) }
        guard session.authenticated else {
            return .done(answer(JSONRPCError(JSONRPCError.authenticationRequired,
                                             "authentication required: call \"auth\" with the token from rpc.token "
                                                 + "in the gateway's data directory first"), id: id, isNotification))
        }
        guard registry.lookup(method) != nil else {
            return .done(answer(JSONRPCError(JSONRPCError.methodNotFound,
                                             "method not found: \"" + JSONRPCDispatcher.shortened(method)
                                                 + "\"; call \"help\" for the list"), id: id, isNotification))
        }
        log.debug("rpc: " + method)
        return .run(method: method, request: CommandRequest(origin: .rpc, arguments: arguments, parameters: parameters),
                    id: id, isNotification: isNotification)
    }

    /// `auth`: checks the token (positional or `{"token": ...}`) and marks the session.
    private func authenticate(
        _ params: JSONValue?, id: JSONValue, _ isNotification: Bool, _ session: Session
    ) -> JSONValue? {
        var given: String? = nil
        switch params {
        case .array(let elements)? where elements.count == 1: given = elements[0].stringValue
        case .object(let named)?: given = named["token"]?.stringValue
        default: break
        }
        guard let token else {
            session.authenticated = true
            return isNotification ? nil : result(.string("authenticated (no token needed here)"), id: id)
        }
        // Locked out: the token is not even compared, so no guess after the last counts.
        guard !session.isLockedOut, let given, RPCToken.matches(given, token) else {
            failedAuthentications += 1
            session.failedAuthentications += 1
            session.authenticated = false
            return answer(JSONRPCError(JSONRPCError.authenticationFailed,
                                       "authentication failed: wrong or missing token (params: [\"<token>\"])"),
                          id: id, isNotification)
        }
        session.authenticated = true
        return isNotification ? nil : result(.string("authenticated"), id: id)
    }

    private func result(_ value: JSONValue, id: JSONValue) -> JSONValue {
        var response = JSONObject(minimumCapacity: 3)
        response.append("jsonrpc", "2.0")
        response.append("id", id)
        response.append("result", value)
        return .object(response)
    }

    /// The error reply for a request, or nil for a notification (which never gets one).
    private func answer(_ error: JSONRPCError, id: JSONValue, _ isNotification: Bool) -> JSONValue? {
        if isNotification {
            errors += 1
            return nil
        }
        return failure(error, id: id)
    }

    private func failure(_ error: JSONRPCError, id: JSONValue) -> JSONValue {
        errors += 1
        return error.response(id: id)
    }

    /// The reply to a line that went over the length cap.
    func overlongLineReply(maxLength: Int) -> String {
        failure(JSONRPCError(JSONRPCError.invalidRequest,
                             "request line too long (max " + String(maxLength) + " bytes); the rest of it is ignored"),
                id: .null).serialized()
    }

    /// The line sent to a connection refused because all client slots are taken.
    static func tooManyClientsReply(maxClients: Int) -> String {
        JSONRPCError(JSONRPCError.commandFailed, "too many RPC clients (max " + String(maxClients) + "); try again later")
            .response(id: .null).serialized()
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// A method name short enough to quote in an error message.
    private static func shortened(_ text: String) -> String {
        guard text.utf8.count > 64 else { return text }
        return String(decoding: Array(text.utf8.prefix(64)), as: UTF8.self) + "..."
    }
}
