/// One header line: name and value as sent or received.
public struct HTTPHeader: Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Whether this header's name is `other`, ignoring ASCII case (HTTP names are case-blind).
    public func isNamed(_ other: String) -> Bool {
        let a = name.utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where HTTPHeader.lower(x) != HTTPHeader.lower(y) { return false }
        return true
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }
}

extension Array where Element == HTTPHeader {
    /// The value of the first header named `name` (any case), if there is one.
    public func value(named name: String) -> String? {
        first { $0.isNamed(name) }?.value
    }
}
