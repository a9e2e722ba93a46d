import JSON
import Runtime
import ServiceKit

/// Turns one line of JSON-RPC 2.0 into at most one line of reply by running the named
/// command from the registry: `method` is the command's name, a `params` array becomes its
/// arguments (non-string elements as their JSON text), a `params` object its named
/// parameters. A request without `id` is a notification: it runs, and gets no reply.
/// A batch (an array of requests) is answered with an array of the replies that are due.
/// `RPCServer` uses it per line; any other line transport can too.
///
/// With a `token`, a session must first call `auth` with it (`params: ["<token>"]` or
/// `{"token": "<token>"}`); until then every other method gets an error. Replies are kept
/// under `maxReplyBytes`: a reply (or a batch's replies together) that would be larger is
/// replaced by an error saying so, and a batch stops running there, so memory stays bounded.
public final class JSONRPCDispatcher {
    public let registry: CommandRegistry
    /// The secret `auth` must present; nil when the door is open (loopback with `rpc.allow_local`).
    let token: String?
    public let maxReplyBytes: Int
    private let log = Logger("rpc")
    /// Requests (batch members included) that named a method.
    public private(set) var requests = 0
    /// Error replies produced, including those a notification was not sent.
    public private(set) var errors = 0
    /// `auth` calls with a wrong token.
    public private(set) var failedAuthentications = 0
    /// Replies (or batches) replaced by an error because they were too large.
    public private(set) var oversizedReplies = 0

    /// One client's standing with the dispatcher.
    public struct Session {
        public internal(set) var authenticated: Bool
        public internal(set) var failedAuthentications = 0
    }

    public init(registry: CommandRegistry, token: String? = nil, maxReplyBytes: Int = 256 * 1024) {
        self.registry = registry
        self.token = token
        self.maxReplyBytes = maxReplyBytes
    }

    /// A new client's session: authenticated already when there is no token.
    public func newSession() -> Session { Session(authenticated: token == nil) }

    /// The reply to `line` in a fresh session (a one-shot transport).
    public func respond(to line: [UInt8]) -> String? {
        var session = newSession()
        return respond(to: line, session: &session)
    }

    /// The reply to `line` without its newline, or nil when none is due (a notification,
    /// a blank line).
    public func respond(to line: [UInt8], session: inout Session) -> String? {
        guard line.contains(where: { !JSONRPCDispatcher.isWhitespace($0) }) else { return nil }
        let request: JSONValue
        do throws(JSONError) { request = try JSONValue.parse(line) } catch {
            return failure(JSONRPCError(JSONRPCError.parseError, "parse error: " + error.description), id: .null)
                .serialized()
        }
        if case .array(let batch) = request {
            guard !batch.isEmpty else {
                return failure(JSONRPCError(JSONRPCError.invalidRequest, "invalid request: empty batch"), id: .null)
                    .serialized()
            }
            // Serialized one by one, so the size is known before the next member runs.
            var replies: [String] = []
            var size = 2
            for (index, member) in batch.enumerated() {
                guard let reply = respond(to: member, session: &session)?.serialized() else { continue }
                size += reply.utf8.count + 1
                if size > maxReplyBytes {
                    return tooLarge("the replies to this batch would exceed " + String(maxReplyBytes)
                                    + " bytes; the first " + String(index + 1) + " of its " + String(batch.count)
                                    + " requests ran, the rest did not: send smaller batches")
                }
                replies.append(reply)
            }
            return replies.isEmpty ? nil : "[" + replies.joined(separator: ",") + "]"
        }
        guard let reply = respond(to: request, session: &session)?.serialized() else { return nil }
        guard reply.utf8.count <= maxReplyBytes else {
            return tooLarge("the reply would exceed " + String(maxReplyBytes) + " bytes (the request ran)",
                            id: JSONRPCDispatcher.id(of: request))
        }
        return reply
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

    /// The reply to one request value, nil for a notification.
    private func respond(to request: JSONValue, session: inout Session) -> JSONValue? {
        guard case .object(let object) = request else {
            return failure(JSONRPCError(JSONRPCError.invalidRequest, "invalid request: expected an object"), id: .null)
        }
        var id = JSONValue.null
        if let given = object["id"] {
            switch given {
            case .string, .number, .null: id = given
            default:
                return failure(JSONRPCError(JSONRPCError.invalidRequest,
                                            "invalid request: \"id\" must be a string, a number or null"), id: .null)
            }
        }
        guard object["jsonrpc"] == .string("2.0") else {
            return failure(JSONRPCError(JSONRPCError.invalidRequest, "invalid request: \"jsonrpc\" must be \"2.0\""), id: id)
        }
        guard case .string(let method)? = object["method"] else {
            return failure(JSONRPCError(JSONRPCError.invalidRequest, "invalid request: \"method\" must be a string"), id: id)
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
            return answer(JSONRPCError(JSONRPCError.invalidParams,
                                       "invalid params: \"params\" must be an array or an object, not a "
                                           + other.typeName), id: id, isNotification)
        }
        if method == "auth" { return authenticate(object["params"], id: id, isNotification, &session) }
        guard session.authenticated else {
            return answer(JSONRPCError(JSONRPCError.authenticationRequired,
                                       "authentication required: call \"auth\" with the token from rpc.token "
                                           + "in the gateway's data directory first"), id: id, isNotification)
        }
        guard registry.lookup(method) != nil else {
            return answer(JSONRPCError(JSONRPCError.methodNotFound,
                                       "method not found: \"" + JSONRPCDispatcher.shortened(method)
                                           + "\"; call \"help\" for the list"), id: id, isNotification)
        }
        log.debug("rpc: " + method)
        let reply = registry.execute(method, CommandRequest(origin: .rpc, arguments: arguments, parameters: parameters))
        guard reply.ok else {
            return answer(JSONRPCError(JSONRPCError.commandFailed, reply.output.text), id: id, isNotification)
        }
        return isNotification ? nil : result(reply.output.json, id: id)
    }

    /// `auth`: checks the token (positional or `{"token": ...}`) and marks the session.
    private func authenticate(
        _ params: JSONValue?, id: JSONValue, _ isNotification: Bool, _ session: inout Session
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
        guard let given, RPCToken.matches(given, token) else {
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
