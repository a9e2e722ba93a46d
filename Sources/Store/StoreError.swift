import Runtime

/// Everything the Store module can fail with. No case ever carries a secret: a rejected
/// value of a secret key is stored already masked as `***`.
public enum StoreError: Error, Equatable {
    /// A value a key does not accept. `value` is the display text (masked for secrets,
    /// shortened when long), `allowed` says what the key takes.
    case invalidValue(key: String, value: String, allowed: String)
    /// A key name the schema does not know, with the closest known name if one is close.
    case unknownKey(String, suggestion: String?)
    /// A config file that cannot be used; `reason` is short (`checksum mismatch`).
    case corruptFile(path: String, reason: String)
    /// Reading or writing a config file failed at the system level.
    case io(path: String, RuntimeError)
    /// Setting `key` would make the saved file larger than the store reads back.
    case fileTooLarge(key: String, size: Int, limit: Int)
    /// A value of the right form that cannot be used here (a file that does not exist).
    case unusableValue(key: String, value: String, reason: String)
    /// Settings that break a rule over several keys (see `ConfigCheck`); `keys` are those it names.
    case conflict(keys: [String], reason: String)

    /// Whether this error is about key `name` (one of a conflict's keys, or the key of a value).
    public func names(_ name: String) -> Bool {
        switch self {
        case .invalidValue(let key, _, _), .unusableValue(let key, _, _), .fileTooLarge(let key, _, _): return key == name
        case .conflict(let keys, _): return keys.contains(name)
        case .unknownKey(let key, _): return key == name
        case .corruptFile, .io: return false
        }
    }

    /// One line for a log or a console, e.g.
    /// `mqtt.port: "70000" is not allowed: an integer from 1 to 65535`.
    public var description: String {
        switch self {
        case .invalidValue(let key, let value, let allowed):
            return key + ": \"" + value + "\" is not allowed: " + allowed
        case .unknownKey(let name, let suggestion):
            let shown = ConfigText.shortened(ConfigText.escaped(name))
            if let suggestion {
                return "unknown key \"" + shown + "\" (did you mean \"" + suggestion
                    + "\"? try \"config keys\" for the list)"
            }
            return "unknown key \"" + shown + "\" (try \"config keys\" for the list)"
        case .corruptFile(let path, let reason):
            return path + " is corrupt (" + reason + ")"
        case .io(let path, let error):
            return path + ": " + error.description
        case .fileTooLarge(let key, let size, let limit):
            return key + ": not set, the saved settings would be " + String(size) + " bytes, over the "
                + String(limit) + "-byte limit (unset or shorten other values)"
        case .unusableValue(let key, let value, let reason):
            return key + ": \"" + value + "\" cannot be used: " + reason
        case .conflict(let keys, let reason):
            return keys.joined(separator: ", ") + ": " + reason
        }
    }
}
