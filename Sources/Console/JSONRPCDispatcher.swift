import JSON
import Runtime
import ServiceKit

/// Turns one line of JSON-RPC 2.0 into at most one line of reply by running the named
/// command from the registry: `method` is the command's name, a `params` array becomes its
/// arguments (non-string elements as their JSON text), a `params` object its named
/// parameters. A request without `id` is a notification: it runs, and gets no reply.
/// A batch (an array of requests) is answered with an array of the replies that are due.
/// `RPCServer` uses it per line; any other line transport can too.
public final class JSONRPCDispatcher {
    public let registry: CommandRegistry
    private let log = Logger("rpc")
    /// Requests (batch members included) that named a method.
    public private(set) var requests = 0
    /// Error replies produced, including those a notification was not sent.
    public private(set) var errors = 0

    public init(registry: CommandRegistry) {
        self.registry = registry
    }

    /// The reply to `line` without its newline, or nil when none is due (a notification,
    /// a blank line).
    public func respond(to line: [UInt8]) -> String? {
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
            var replies: [JSONValue] = []
            for member in batch {
                if let reply = respond(to: member) { replies.append(reply) }
            }
            return replies.isEmpty ? nil : JSONValue.array(replies).serialized()
        }
        return respond(to: request)?.serialized()
    }

    /// The reply to one request value, nil for a notification.
    private func respond(to request: JSONValue) -> JSONValue? {
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
        if isNotification { return nil }
        var response = JSONObject(minimumCapacity: 3)
        response.append("jsonrpc", "2.0")
        response.append("id", id)
        response.append("result", reply.output.json)
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
