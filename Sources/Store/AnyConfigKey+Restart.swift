/// Keys whose change the running gateway cannot apply: the console's device, the board,
/// the HTTP client every service shares. Declared beside the key, like `remoteSafe()`, so
/// `set` can say a restart is needed and `config` can mark the value pending until then.
extension AnyConfigKey {
    /// This key, marked as taking effect only at the next start.
    func restartRequired() -> AnyConfigKey {
        var marked = self
        marked.appliesAtRestart = true
        return marked
    }
}

extension ConfigKey {
    /// Declares that a change of this key takes effect only when the gateway starts again.
    public func appliesAtRestart() -> ConfigKey<Value> {
        ConfigKey(any.restartRequired(), decode: decode)
    }
}
