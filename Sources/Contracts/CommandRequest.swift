import JSON

/// One invocation of a command, from whichever door it came through.
public struct CommandRequest {
    /// Where it came from: console, mqtt or rpc (for logs and for commands like `restart`).
    public enum Origin: Equatable {
        case console
        case mqtt
        case rpc

        /// `console`, `mqtt` or `rpc`, for logs.
        public var name: String {
            switch self {
            case .console: return "console"
            case .mqtt: return "mqtt"
            case .rpc: return "rpc"
            }
        }
    }

    public let origin: Origin
    /// Positional words: the console line or MQTT payload split on spaces (quotes group),
    /// or the elements of a JSON-RPC `params` array.
    public let arguments: [String]
    /// A JSON-RPC `params` object, when the caller sent one (named parameters).
    public let parameters: JSONObject?
    /// Whether the door trusts its caller with everything: every command form and every key.
    /// The console (physical access) and authenticated RPC do; MQTT only when
    /// `cmnd.allow_privileged` is set. Otherwise only what is declared safe remotely runs
    /// (`Command.remote`, `ConfigKey.remoteSafe()`).
    public let allowsPrivileged: Bool

    /// `allowsPrivileged` defaults to false for MQTT, the door anyone on the broker can use.
    public init(origin: Origin, arguments: [String], parameters: JSONObject? = nil, allowsPrivileged: Bool? = nil) {
        self.origin = origin
        self.arguments = arguments
        self.parameters = parameters
        self.allowsPrivileged = allowsPrivileged ?? (origin != .mqtt)
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
