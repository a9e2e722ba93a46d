import JSON

/// A JSON-RPC 2.0 error object: the spec's codes plus ours for a command that failed.
struct JSONRPCError {
    /// The line is not JSON.
    static let parseError = -32700
    /// JSON, but not a request object (wrong `jsonrpc`, no `method`, bad `id`, too long).
    static let invalidRequest = -32600
    /// No command by that name.
    static let methodNotFound = -32601
    /// `params` is neither an array nor an object.
    static let invalidParams = -32602
    /// The command ran and failed; the message is its own.
    static let commandFailed = -32000
    /// The door needs the token first (`auth`).
    static let authenticationRequired = -32001
    /// `auth` with a wrong token.
    static let authenticationFailed = -32002
    /// The replies would not fit the connection's output limit.
    static let replyTooLarge = -32003

    let code: Int
    let message: String

    init(_ code: Int, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The whole response object for request `id`.
    func response(id: JSONValue) -> JSONValue {
        var error = JSONObject(minimumCapacity: 2)
        error.append("code", .int(code))
        error.append("message", .string(message))
        var response = JSONObject(minimumCapacity: 3)
        response.append("jsonrpc", "2.0")
        response.append("id", id)
        response.append("error", .object(error))
        return .object(response)
    }
}
