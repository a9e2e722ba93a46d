import Runtime

/// A JSON value: what `parse` returns and `serialized()` prints. Objects keep their members in
/// insertion order, because people read our payloads. Every number is a `Double`, as in
/// JavaScript: integers are exact up to 2^53, which covers millisecond timestamps, counters
/// and CAN ids (`JSONValue.int(_:)`, `intValue`).
public enum JSONValue: Equatable, CustomStringConvertible, Sendable {
    case null
    case bool(Bool)
    /// Any JSON number; NaN and infinity print as null.
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in insertion order.
    case object(JSONObject)

    /// A number from any integer type. Magnitudes above 2^53 round to the nearest double.
    public static func int<T: BinaryInteger>(_ value: T) -> JSONValue {
        .number(Double(value))
    }

    /// The JSON name of this value's kind, as error messages show it.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Compact JSON text, so a value reads the same in a log as on the wire.
    public var description: String { serialized() }

    // Optional accessors: nil when the value is of another kind. They build no error text,
    // which suits hot paths; `cursor` gives errors that say where and why.

    /// Whether this is JSON null.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The boolean, nil for other kinds.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number, nil for other kinds.
    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as an `Int`; nil when it has a fraction or does not fit.
    public var intValue: Int? {
        if case .number(let value) = self { return Int(exactly: value) }
        return nil
    }

    /// The number without its fraction, if it lies in `range`; nil for NaN, infinity, a
    /// number outside the range, or another kind. For numbers from outside that become
    /// times, lifetimes or counts (a JWT `exp`, an `expires_in`): never `Int64(doubleValue!)`,
    /// which traps on 1e400 or 9.3e18.
    public func integer(in range: ClosedRange<Int64>) -> Int64? {
        if case .number(let value) = self { return Int64(checking: value, in: range) }
        return nil
    }

    /// The string, nil for other kinds.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The array's elements, nil for other kinds.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, nil for other kinds.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// An object's member (the first one, should the text repeat a key); nil when there is
    /// none or this is not an object. Setting requires an object; setting nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let object) = self { return object[key] }
            return nil
        }
        set {
            guard case .object(var object) = self else {
                preconditionFailure("JSONValue: setting a key on a non-object value")
            }
            self = .null // drop our reference so `object` is uniquely owned and not copied
            object[key] = newValue
            self = .object(object)
        }
    }

    /// An array's element; nil when the index is out of range or this is not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    /// A cursor at this value, for typed access that fails with the path it took:
    /// `try message.cursor["params"]["port"].int()`.
    public var cursor: JSONCursor { JSONCursor(self) }
}
