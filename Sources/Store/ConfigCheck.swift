/// A rule over several keys that no single key's kind can state ("a client certificate
/// needs its key", "a dashboard open to the network needs a password"). Declared by the
/// module that owns the keys, registered in the schema, and run at `save` (which refuses a
/// change that breaks one) and at load (which reports it, naming the keys).
public struct ConfigCheck {
    /// The keys the rule concerns, named in its error.
    public let keys: [String]
    /// Why the effective settings break the rule, or nil when they do not. Never quotes a
    /// secret's value.
    let problem: (ConfigStore) -> String?

    public init(_ keys: [AnyConfigKey], problem: @escaping (ConfigStore) -> String?) {
        precondition(keys.count >= 2, "a config check is over several keys")
        self.keys = keys.map { $0.name }
        self.problem = problem
    }
}
