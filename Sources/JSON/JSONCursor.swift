/// A position inside a JSON value for typed access that fails clearly: every step records its
/// path, and the first step that leads nowhere is the error every accessor then reports.
///
///     let port = try config.cursor["mqtt"]["port"].int(as: UInt16.self)
///     let address = try request.cursor["params"]["devices"][2]["address"].string()
///     let timeout = try request.cursor["params"]["timeout_s"].ifPresent?.int() ?? 30
///
/// Building the path text costs an allocation once it outgrows a small string; code on a hot
/// path that needs no error text can use `JSONValue`'s optional accessors instead.
public struct JSONCursor {
    private enum State {
        case found(JSONValue)
        /// A key or index that is not there: `ifPresent` treats it as absent.
        case missing(JSONError)
        /// A step into a value of the wrong kind: always an error.
        case broken(JSONError)
    }

    private let state: State
    /// Where this cursor points, e.g. `params.devices[2].address`; empty at the top.
    public let path: String

    /// A cursor at `value`; `path` names it in errors (e.g. "params" for a handler that gets
    /// only a request's params).
    public init(_ value: JSONValue, path: String = "") {
        self.state = .found(value)
        self.path = path
    }

    private init(state: State, path: String) {
        self.state = state
        self.path = path
    }

    /// The member `key` of the object here.
    public subscript(key: String) -> JSONCursor {
        let childPath = path.isEmpty ? key : path + "." + key
        switch state {
        case .found(.object(let object)):
            if let value = object[key] { return JSONCursor(state: .found(value), path: childPath) }
            return JSONCursor(state: .missing(.missingKey(path: childPath)), path: childPath)
        case .found(let other):
            let error = JSONError.typeMismatch(path: path, expected: "object", found: other.typeName)
            return JSONCursor(state: .broken(error), path: childPath)
        case .missing, .broken:
            return JSONCursor(state: state, path: childPath)
        }
    }

    /// The element `index` of the array here.
    public subscript(index: Int) -> JSONCursor {
        let childPath = path + "[" + String(index) + "]"
        switch state {
        case .found(.array(let array)):
            if array.indices.contains(index) { return JSONCursor(state: .found(array[index]), path: childPath) }
            return JSONCursor(state: .missing(.indexOutOfRange(path: childPath, count: array.count)), path: childPath)
        case .found(let other):
            let error = JSONError.typeMismatch(path: path, expected: "array", found: other.typeName)
            return JSONCursor(state: .broken(error), path: childPath)
        case .missing, .broken:
            return JSONCursor(state: state, path: childPath)
        }
    }

    /// Nil when nothing is here or the value is null (an optional field); otherwise this
    /// cursor, whose accessors still fail on a wrong kind: `try c["x"].ifPresent?.int()`.
    public var ifPresent: JSONCursor? {
        switch state {
        case .found(.null), .missing: return nil
        case .found, .broken: return self
        }
    }

    /// The value here, of any kind (null included).
    public func value() throws(JSONError) -> JSONValue {
        switch state {
        case .found(let value): return value
        case .missing(let error), .broken(let error): throw error
        }
    }

    /// The boolean here; fails if absent or of another kind.
    public func bool() throws(JSONError) -> Bool {
        let value = try value()
        guard case .bool(let bool) = value else { throw mismatch("boolean", value) }
        return bool
    }

    /// The number (integers included) here; fails if absent or of another kind.
    public func double() throws(JSONError) -> Double {
        let value = try value()
        guard case .number(let number) = value else { throw mismatch("number", value) }
        return number
    }

    /// The number as an `Int`; fails if it has a fraction or does not fit.
    public func int() throws(JSONError) -> Int {
        try int(as: Int.self)
    }

    /// The number as a `T`, e.g. `UInt16` for a port: fails if it has a fraction or lies
    /// outside `T`'s range.
    public func int<T: FixedWidthInteger>(as type: T.Type) throws(JSONError) -> T {
        let value = try value()
        guard case .number(let number) = value else { throw mismatch("integer", value) }
        if let integer = T(exactly: number) { return integer }
        guard number.rounded(.towardZero) == number else {
            throw JSONError.typeMismatch(path: path, expected: "integer", found: "number with a fraction")
        }
        throw JSONError.outOfRange(path: path, expected: "integer in " + String(T.min) + "..." + String(T.max))
    }

    /// The string here; fails if absent or of another kind.
    public func string() throws(JSONError) -> String {
        let value = try value()
        guard case .string(let string) = value else { throw mismatch("string", value) }
        return string
    }

    /// The array's elements here; fails if absent or of another kind.
    public func array() throws(JSONError) -> [JSONValue] {
        let value = try value()
        guard case .array(let array) = value else { throw mismatch("array", value) }
        return array
    }

    /// The object here; fails if absent or of another kind.
    public func object() throws(JSONError) -> JSONObject {
        let value = try value()
        guard case .object(let object) = value else { throw mismatch("object", value) }
        return object
    }

    /// The array's elements as cursors, so errors inside them name their index.
    public func elements() throws(JSONError) -> [JSONCursor] {
        let array = try array()
        var cursors: [JSONCursor] = []
        cursors.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            cursors.append(JSONCursor(state: .found(element), path: path + "[" + String(index) + "]"))
        }
        return cursors
    }

    private func mismatch(_ expected: String, _ found: JSONValue) -> JSONError {
        .typeMismatch(path: path, expected: expected, found: found.typeName)
    }
}
