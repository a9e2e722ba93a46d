/// Why a call failed, as `rpc.capnp`'s `Exception.Type` numbers it.
public enum CapnpExceptionType: UInt16, Sendable {
    case failed = 0
    case overloaded = 1
    case disconnected = 2
    case unimplemented = 3
}

/// A capability a session serves (the bootstrap interface): its id, and its methods by
/// ordinal. `call` runs on the loop thread and must not block; it answers through `answer`,
/// now or later.
public protocol CapnpInterface: AnyObject {
    /// The interface's 64-bit id from its schema.
    var interfaceID: UInt64 { get }
    /// Runs method `method` with `params` (the params struct; empty when the caller sent none).
    func call(method: UInt16, params: CapnpStructReader, answer: CapnpAnswer)
}

/// The one answer to a call: results or an exception, given exactly once. An answer given
/// after its connection closed goes nowhere.
public final class CapnpAnswer {
    private var deliver: ((CapnpCallOutcome) -> Void)?

    init(_ deliver: @escaping (CapnpCallOutcome) -> Void) { self.deliver = deliver }

    /// Answers with a results struct of the given size, filled in by `fill`.
    public func results(dataWords: Int, pointerCount: Int, _ fill: @escaping (CapnpStructBuilder) -> Void) {
        give(.results(dataWords: dataWords, pointerCount: pointerCount, fill: fill))
    }

    /// Answers with an exception.
    public func exception(_ type: CapnpExceptionType, _ reason: String) {
        give(.exception(type, reason))
    }

    private func give(_ outcome: CapnpCallOutcome) {
        guard let deliver else { preconditionFailure("a Cap'n Proto call answered twice") }
        self.deliver = nil
        deliver(outcome)
    }

    /// Whether the answer is still to be given.
    public var isPending: Bool { deliver != nil }
}

/// What a call came to.
enum CapnpCallOutcome {
    case results(dataWords: Int, pointerCount: Int, fill: (CapnpStructBuilder) -> Void)
    case exception(CapnpExceptionType, String)
}
