/// The registry of config keys. The gateway registers `StandardKeys.all`; each feature
/// module registers its own keys before the store is opened. A value type, so a store's
/// schema cannot change under it.
public struct ConfigSchema {
    private var byName: [String: AnyConfigKey] = [:]
    /// The rules over several keys, in registration order.
    public private(set) var checks: [ConfigCheck] = []
    /// Registered names, kept sorted so listings are stable.
    public private(set) var names: [String] = []

    /// An empty schema.
    public init() {}

    /// The gateway-wide keys of `StandardKeys`.
    public static var standard: ConfigSchema {
        var schema = ConfigSchema()
        schema.register(StandardKeys.all)
        schema.register(checks: StandardKeys.checks)
        return schema
    }

    /// Adds `keys`. A name registered twice is a programmer error (two modules claiming one
    /// setting), so it traps rather than letting one silently win.
    public mutating func register(_ keys: [AnyConfigKey]) {
        for key in keys {
            precondition(byName[key.name] == nil, "config key registered twice: " + key.name)
            byName[key.name] = key
            names.append(key.name)
        }
        names.sort()
    }

    /// Adds rules over several keys; each key they name must be registered already.
    public mutating func register(checks added: [ConfigCheck]) {
        for check in added {
            for name in check.keys { precondition(byName[name] != nil, "config check names an unregistered key: " + name) }
            checks.append(check)
        }
    }

    /// The key called `name`, if registered.
    public func key(named name: String) -> AnyConfigKey? { byName[name] }

    /// Whether `key` (this exact definition) is registered.
    public func contains(_ key: AnyConfigKey) -> Bool { byName[key.name] == key }

    /// All keys, sorted by name.
    public var keys: [AnyConfigKey] { names.map { byName[$0]! } }

    /// The key called `name`, or `.unknownKey` with the closest registered name as a hint.
    public func lookup(_ name: String) throws(StoreError) -> AnyConfigKey {
        if let key = byName[name] { return key }
        throw .unknownKey(name, suggestion: suggestion(for: name))
    }

    /// The registered name closest to `name` when it is a plausible typo: at most two edits
    /// (a swap of neighbours counts as one) and fewer than a third of the name's length.
    public func suggestion(for name: String) -> String? {
        let typed = Array(name.utf8)
        guard typed.count <= 128 else { return nil }
        var best: String? = nil
        var bestDistance = Int.max
        for candidate in names {
            let distance = ConfigSchema.editDistance(typed, Array(candidate.utf8))
            if distance < bestDistance {
                best = candidate
                bestDistance = distance
            }
        }
        guard let best, bestDistance <= 2, bestDistance * 3 < typed.count else { return nil }
        return best
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    /// adjacent bytes each cost one (`mqtt.hots` is one edit from `mqtt.host`).
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        var previous2 = [Int](repeating: 0, count: width)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: width)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, previous2[j - 2] + 1)
                }
                current[j] = best
            }
            swap(&previous2, &previous)
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// One `AnyConfigKey.helpLine` per key, sorted by name: what `config help` prints.
    public func helpLines() -> [String] { keys.map { $0.helpLine } }
}
