/// A JSON object that keeps its members in insertion order, so what we publish reads in the
/// order we built it and a parsed payload prints back in the sender's order.
///
/// Lookups scan the members: our objects have tens of keys, where a scan beats hashing and
/// costs no second table. Parsed text that repeats a key keeps every copy (as cJSON does) and
/// lookups find the first.
public struct JSONObject: RandomAccessCollection, Equatable, ExpressibleByDictionaryLiteral, Sendable {
    public typealias Element = (key: String, value: JSONValue)

    private var members: [Element]

    /// An empty object.
    public init() { members = [] }

    /// An empty object with room for `minimumCapacity` members.
    public init(minimumCapacity: Int) {
        members = []
        members.reserveCapacity(minimumCapacity)
    }

    /// Members in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = []
        members.reserveCapacity(elements.count)
        for (key, value) in elements { members.append((key: key, value: value)) }
    }

    // Positions are member indexes in order, so an object is a random-access collection of
    // (key, value) pairs.
    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> Element { members[position] }

    /// The keys in order.
    public var keys: [String] { members.map { $0.key } }

    /// The member's value, nil if absent. Setting replaces a member in place (keeping its
    /// position) or appends a new one; setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(forKey: key) else { return nil }
            return members[index].value
        }
        set {
            let existing = index(forKey: key)
            switch (existing, newValue) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append((key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// Adds a member at the end without looking for the key first: for building objects whose
    /// keys are known to be distinct, where the lookup would only cost time.
    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key: key, value: value))
    }

    /// Removes the member and returns its value, nil if absent.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = index(forKey: key) else { return nil }
        return members.remove(at: index).value
    }

    /// The position of the first member named `key`.
    public func index(forKey key: String) -> Int? {
        members.firstIndex { $0.key == key }
    }

    /// Same members in the same order: our objects are ordered, so order is part of the value.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (left, right) in zip(lhs.members, rhs.members) {
            guard left.key == right.key, left.value == right.value else { return false }
        }
        return true
    }
}
