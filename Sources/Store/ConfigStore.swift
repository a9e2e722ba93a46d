import CSupport
import Runtime

/// The gateway's configuration: every key's effective value from four layers, lowest to
/// highest precedence: the key's default, the board profile's defaults, the user's saved
/// settings, the environment.
///
/// Values are kept as canonical text and read through typed accessors. Anything meant for
/// people (`show`, `entry`, errors, log lines) masks secrets as `***`; only `secretValue`
/// hands out a secret's clear text. `set`/`unset` change the user layer in memory; `save`
/// persists it atomically (see `ConfigDirectory`). Single-threaded: the run loop's thread.
public final class ConfigStore {
    /// Looks up an environment variable; tests pass their own.
    public typealias EnvironmentLookup = @Sendable (String) -> String?

    /// The process environment through `getenv`.
    public static let processEnvironment: EnvironmentLookup = { name in
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    public let schema: ConfigSchema
    /// Where `config`, `config.prev` and `config.tmp` live.
    public let dataDirectory: String
    /// The board profile's `key=value` defaults file, if the board has one.
    public let boardDefaultsPath: String?

    let files: ConfigDirectory
    let environment: EnvironmentLookup
    let log = Logger("config")

    // Each layer maps key names to canonical values; the default layer is the schema.
    var boardValues: [String: String] = [:]
    var userValues: [String: String] = [:]
    var environmentValues: [String: String] = [:]
    /// Saved settings of keys this firmware does not know (a newer one wrote them): kept
    /// and saved back untouched, never shown.
    var unknownUserValues: [String: String] = [:]
    /// The user layer (known and unknown keys) as last loaded or saved: what `unsavedNames`
    /// compares with.
    var savedValues: [String: String] = [:]
    /// The effective values of the keys that apply at restart, as this process started with
    /// them: what `pendingRestart` compares with.
    var startValues: [String: String] = [:]

    /// Which copy of the saved settings was loaded (`.current` again after a save).
    public internal(set) var loadOutcome: ConfigLoadOutcome = .noFile
    /// The warnings logged by the last load, for `config status` (no secrets in them).
    public internal(set) var problems: [String] = []
    /// The values the last load refused (from the saved file, the board defaults or the
    /// environment), each with its key: the key runs on the next layer's value instead, and
    /// the gateway shows each as a setting problem (a person asked for something not in use).
    public internal(set) var refusedValues: [(key: String, reason: String)] = []
    /// True after `set`/`unset` until the next `save` or `reload`.
    public internal(set) var hasUnsavedChanges = false
    /// Called after every `save` and `reload`: the settings in force may have changed, and
    /// the gateway restarts the services whose keys did.
    public var onChange: (() -> Void)?

    /// Opens the store: reads the board defaults, the saved settings and the environment.
    /// Never fails: a damaged file is reported in one log line and the last good copy (or
    /// the defaults) is used instead.
    public init(
        schema: ConfigSchema = .standard, dataDirectory: String, boardDefaultsPath: String? = nil,
        environment: @escaping EnvironmentLookup = ConfigStore.processEnvironment
    ) {
        self.schema = schema
        self.dataDirectory = dataDirectory
        self.boardDefaultsPath = boardDefaultsPath
        self.files = ConfigDirectory(dataDirectory)
        self.environment = environment
        reload()
        for key in schema.keys where key.appliesAtRestart { startValues[key.name] = resolve(key).value }
    }

    // MARK: reading

    /// The value of a non-secret key, as the type it was declared with.
    public func value<Value>(_ key: ConfigKey<Value>) -> Value {
        precondition(!key.isSecret, "read secret config keys through secretValue: " + key.name)
        return key.decode(resolve(key.any).value)
    }

    /// The value of a text key.
    public func string(_ key: ConfigKey<String>) -> String { value(key) }
    /// The value of an integer key.
    public func integer(_ key: ConfigKey<Int>) -> Int { value(key) }
    /// The value of a boolean key.
    public func boolean(_ key: ConfigKey<Bool>) -> Bool { value(key) }

    /// The clear text of a secret key, for the code that must hand it on (the MQTT client's
    /// password). Never log or print what this returns.
    public func secretValue(_ key: ConfigKey<String>) -> String {
        precondition(key.isSecret, "secretValue is for secret keys; use string: " + key.name)
        return resolve(key.any).value
    }

    /// The effective values of `keys`, to compare with a later snapshot (after a reload)
    /// without handing anyone a secret's text.
    public func snapshot(_ keys: [AnyConfigKey]) -> ConfigSnapshot {
        ConfigSnapshot(values: keys.map { resolve($0).value })
    }

    /// Which layer `key`'s effective value comes from.
    public func source(of key: AnyConfigKey) -> ConfigSource { resolve(key).source }

    /// Which layer a typed key's effective value comes from.
    public func source<Value>(of key: ConfigKey<Value>) -> ConfigSource { resolve(key.any).source }

    /// The key called `name` with its effective value for display (secrets masked).
    public func entry(_ name: String) throws(StoreError) -> ConfigEntry {
        entry(for: try schema.lookup(name))
    }

    /// Every key as `key = value  (source)`, sorted by key, secrets as `***`.
    public func show() -> [String] {
        schema.keys.map { entry(for: $0).description }
    }

    /// The names whose saved setting a `save` would change (set, changed or removed since the
    /// last load or save), so a door may ask whether it is allowed to keep them all.
    public var unsavedNames: Set<String> {
        let current = userLayer
        var names: Set<String> = []
        for (name, value) in current where savedValues[name] != value { names.insert(name) }
        for name in savedValues.keys where current[name] == nil { names.insert(name) }
        return names
    }

    /// The user layer as `save` writes it: unknown keys kept, known keys' values.
    var userLayer: [String: String] {
        var settings = unknownUserValues
        for (name, value) in userValues { settings[name] = value }
        return settings
    }

    /// Names of saved settings this firmware does not know, sorted.
    public var unknownSavedKeys: [String] { unknownUserValues.keys.sorted() }

    // MARK: changing

    /// Sets `name` to `value` in the user layer (in memory; `save` persists). Returns the
    /// key's effective entry afterwards: its source is still `env` when the environment
    /// overrides the key, which the console should point out.
    @discardableResult
    public func set(_ name: String, to value: String) throws(StoreError) -> ConfigEntry {
        let key = try schema.lookup(name)
        let canonical = try key.validate(value)
        if let reason = key.kind.pathProblem(canonical) {
            throw .unusableValue(key: key.name, value: ConfigText.shortened(key.displayValue(canonical)), reason: reason)
        }
        // Refused now rather than at the next load, which would fall back to config.prev.
        var settings = unknownUserValues
        for (known, text) in userValues { settings[known] = text }
        settings[key.name] = canonical
        let size = ConfigFile.encode(settings).count
        guard size <= ConfigDirectory.maximumFileSize else {
            throw .fileTooLarge(key: key.name, size: size, limit: ConfigDirectory.maximumFileSize)
        }
        userValues[key.name] = canonical
        hasUnsavedChanges = true
        return entry(for: key)
    }

    /// Removes `name` from the user layer, so the board default or the key default applies
    /// again. Also removes a saved setting this firmware does not know.
    public func unset(_ name: String) throws(StoreError) {
        if unknownUserValues.removeValue(forKey: name) != nil {
            hasUnsavedChanges = true
            return
        }
        let key = try schema.lookup(name)
        if userValues.removeValue(forKey: key.name) != nil { hasUnsavedChanges = true }
    }

    /// Writes the user layer to `<data dir>/config` atomically; the previous file becomes
    /// `config.prev`.
    /// Refused, saving nothing, when the changes since the last save break a `ConfigCheck`
    /// (a rule none of whose keys changed is only reported at load: it is not this save's).
    /// `enforcingChecks` false saves anyway: for a door that saves each `set` on its own
    /// (the offline CLI), where a rule over two keys could never be met one key at a time;
    /// it reports `conflicts` instead.
    public func save(enforcingChecks: Bool = true) throws(StoreError) {
        if enforcingChecks {
            let changed = unsavedNames
            for check in schema.checks where check.keys.contains(where: { changed.contains($0) }) {
                if let reason = check.problem(self) { throw .conflict(keys: check.keys, reason: reason) }
            }
        }
        let settings = userLayer
        try files.save(ConfigFile.encode(settings))
        savedValues = settings
        hasUnsavedChanges = false
        loadOutcome = .current
        log.debug("saved " + String(settings.count) + " settings to " + files.current)
        onChange?()
    }

    /// Every rule over several keys the settings in force break, as errors naming the keys.
    public var conflicts: [StoreError] {
        schema.checks.compactMap { check in check.problem(self).map { StoreError.conflict(keys: check.keys, reason: $0) } }
    }

    // MARK: resolving

    /// `key`'s effective value and the layer it comes from.
    func resolve(_ key: AnyConfigKey) -> (value: String, source: ConfigSource) {
        precondition(schema.contains(key), "config key not registered in this store's schema: " + key.name)
        if let value = environmentValues[key.name] { return (value, .environment) }
        if let value = userValues[key.name] { return (value, .user) }
        if let value = boardValues[key.name] { return (value, .board) }
        return (key.defaultValue, .defaultValue)
    }

    func entry(for key: AnyConfigKey) -> ConfigEntry {
        let resolved = resolve(key)
        var entry = ConfigEntry(key: key, displayValue: key.displayValue(resolved.value), source: resolved.source)
        entry.pendingRestart = key.appliesAtRestart && startValues[key.name].map { $0 != resolved.value } == true
        return entry
    }

    /// The keys that apply at restart whose effective value changed since this process
    /// started, sorted.
    public var pendingRestartNames: [String] {
        schema.keys.filter { entry(for: $0).pendingRestart }.map { $0.name }
    }
}
