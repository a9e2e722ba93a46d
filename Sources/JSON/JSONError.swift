/// Everything the JSON module can fail with: text that is not JSON, or a value that is not
/// shaped as the caller expects. Paths read like `params.devices[2].address`; the empty path
/// is the top-level value.
public enum JSONError: Error, Equatable, CustomStringConvertible {
    /// The text is not (entirely) one JSON value; `offset` is the byte where it went wrong.
    case syntax(offset: Int, reason: String)
    /// An object has no member with the path's last key.
    case missingKey(path: String)
    /// An array is shorter than the path's last index.
    case indexOutOfRange(path: String, count: Int)
    /// The value at `path` is a `found` where the caller needs an `expected`.
    case typeMismatch(path: String, expected: String, found: String)
    /// The number at `path` is an integer outside the range the caller can hold.
    case outOfRange(path: String, expected: String)

    /// One line for a log, a console or an RPC error reply.
    public var description: String {
        switch self {
        case .syntax(let offset, let reason):
            return "JSON syntax error at byte \(offset): " + reason
        case .missingKey(let path):
            return "missing key " + JSONError.display(path)
        case .indexOutOfRange(let path, let count):
            return JSONError.display(path) + ": index out of range (array has \(count) elements)"
        case .typeMismatch(let path, let expected, let found):
            return JSONError.display(path) + ": expected " + expected + ", found " + found
        case .outOfRange(let path, let expected):
            return JSONError.display(path) + ": expected " + expected
        }
    }

    private static func display(_ path: String) -> String {
        path.isEmpty ? "top level" : path
    }
}
