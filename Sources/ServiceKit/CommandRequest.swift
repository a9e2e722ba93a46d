import JSON

/// One invocation of a command, from whichever door it came through.
public struct CommandRequest {
    /// Where it came from: console, mqtt or rpc (for logs and for commands like `restart`).
    public enum Origin: Equatable {
        case console
        case mqtt
        case rpc
    }

    public let origin: Origin
    /// Positional words: the console line or MQTT payload split on spaces (quotes group),
    /// or the elements of a JSON-RPC `params` array.
    public let arguments: [String]
    /// A JSON-RPC `params` object, when the caller sent one (named parameters).
    public let parameters: JSONObject?

    public init(origin: Origin, arguments: [String], parameters: JSONObject? = nil) {
        self.origin = origin
        self.arguments = arguments
        self.parameters = parameters
    }

    /// The argument at `index`, or nil.
    public func argument(_ index: Int) -> String? {
        index < arguments.count ? arguments[index] : nil
    }

    /// A named parameter as text: from the params object, else nil.
    public func parameter(_ name: String) -> JSONValue? {
        parameters?[name]
    }
}
