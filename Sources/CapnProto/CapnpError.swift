/// Everything the Cap'n Proto codec and RPC session can fail with. Each case is a reason to
/// refuse a message (and, for the RPC door, to close that one connection).
public enum CapnpError: Error, Equatable, Sendable {
    /// The stream framing is impossible: zero-size header fields, sizes that overflow.
    case badFraming
    /// More segments than `CapnpLimits.maxSegments` (the reference refuses 512 and more).
    case tooManySegments(Int)
    /// A message larger than `CapnpLimits.maxMessageWords`, refused from its header alone.
    case messageTooLarge(words: Int)
    /// A pointer leads outside its segment, or to a segment that does not exist.
    case pointerOutOfBounds
    /// A pointer of a kind that cannot stand where it was found (a list where a struct
    /// belongs, a far pointer landing on a far pointer, a reserved kind).
    case unexpectedPointer
    /// Text that is not a NUL-terminated byte list.
    case badText
    /// Reading would traverse more words than `CapnpLimits.traversalWords` allows.
    case traversalLimitExceeded
    /// Pointers nest deeper than `CapnpLimits.nestingDepth`.
    case nestingLimitExceeded
    /// A well-formed message that breaks the RPC protocol (a question id used twice, ...).
    case protocolViolation(String)

    /// One line for a log: what was wrong with the message.
    public var description: String {
        switch self {
        case .badFraming: return "impossible stream framing"
        case .tooManySegments(let count): return "too many segments (" + String(count) + ")"
        case .messageTooLarge(let words): return "message too large (" + String(words) + " words)"
        case .pointerOutOfBounds: return "pointer out of bounds"
        case .unexpectedPointer: return "unexpected pointer kind"
        case .badText: return "text not NUL-terminated"
        case .traversalLimitExceeded: return "traversal limit exceeded"
        case .nestingLimitExceeded: return "nesting limit exceeded"
        case .protocolViolation(let what): return "RPC protocol violation: " + what
        }
    }
}
