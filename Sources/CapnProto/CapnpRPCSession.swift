/// The server side of Cap'n Proto two-party RPC for one connection, without the socket:
/// messages in, framed messages out through `send`. It serves one bootstrap capability
/// (export 0) and answers Bootstrap, Call (on the capability, or pipelined on a bootstrap's
/// promised answer), Finish and Release; Resolve, Disembargo and the rest get an
/// `unimplemented` echo, an unknown method an `unimplemented` exception. A message that
/// breaks the protocol throws: the caller aborts the connection.
///
/// Bounded: at most `maxQuestions` answers are kept until their Finish (a peer that never
/// finishes is cut off), and at most `maxPendingCalls` calls may wait for their answer at
/// once (more are answered `overloaded`).
public final class CapnpRPCSession {
    /// Where an answer stands until its Finish.
    enum AnswerState {
        case bootstrap
        case pending
        /// Finished by the peer before the answer came: dropped once it comes.
        case pendingFinished
        case returned
    }

    public let bootstrap: CapnpInterface
    public let maxQuestions: Int
    public let maxPendingCalls: Int
    /// Framed messages to write to the peer.
    public var send: ([UInt8]) -> Void = { _ in }
    private var answers: [UInt32: AnswerState] = [:]
    private var pendingCalls = 0
    /// References the peer holds to export 0 (the bootstrap capability).
    public private(set) var bootstrapReferences = 0
    /// Set when the session ends: answers still to come go nowhere.
    public private(set) var isClosed = false

    /// Calls answered with results, with an exception, and messages echoed as unimplemented.
    public private(set) var callsAnswered = 0
    public private(set) var exceptionsSent = 0
    public private(set) var unimplementedMessages = 0
    /// Calls addressed to a promised answer (pipelined on a bootstrap not yet returned to the peer).
    public private(set) var pipelinedCalls = 0

    public init(bootstrap: CapnpInterface, maxQuestions: Int = 64, maxPendingCalls: Int = 8) {
        precondition(maxQuestions > 0 && maxPendingCalls > 0, "RPC limits must be positive")
        self.bootstrap = bootstrap
        self.maxQuestions = maxQuestions
        self.maxPendingCalls = maxPendingCalls
    }

    /// Ends the session: nothing more is sent.
    public func close() {
        isClosed = true
        send = { _ in }
    }

    /// Handles one message. Returns false when the peer aborted (the caller closes).
    public func handle(_ message: CapnpMessage) throws(CapnpError) -> Bool {
        guard !isClosed else { return false }
        let root = try message.root()
        let tag = root.uint16(at: 0)
        guard let which = CapnpRPC.Which(rawValue: tag) else {
            emit(CapnpRPC.unimplemented(tag))
            unimplementedMessages += 1
            return true
        }
        switch which {
        case .unimplemented:
            // The peer did not understand something we sent; we send nothing optional.
            return true
        case .abort:
            return false
        case .bootstrap:
            try handleBootstrap(try member(root))
        case .call:
            try handleCall(try member(root))
        case .finish:
            handleFinish(try member(root))
        case .release:
            let release = try member(root)
            if release.uint32(at: 0) == 0 {
                bootstrapReferences = max(0, bootstrapReferences - Int(release.uint32(at: 1)))
            }
        case .return:
            throw .protocolViolation("a Return, but this side asks no questions")
        case .resolve, .disembargo, .obsoleteSave, .obsoleteDelete, .provide, .accept, .join:
            emit(CapnpRPC.unimplemented(tag))
            unimplementedMessages += 1
        }
        return true
    }

    private func member(_ root: CapnpStructReader) throws(CapnpError) -> CapnpStructReader {
        guard let member = try root.structField(0) else { throw .protocolViolation("a message without its content") }
        return member
    }

    private func emit(_ bytes: [UInt8]) {
        if !isClosed { send(bytes) }
    }

    private func newAnswer(_ id: UInt32, _ state: AnswerState) throws(CapnpError) {
        guard answers[id] == nil else { throw .protocolViolation("question " + String(id) + " asked twice") }
        guard answers.count < maxQuestions else {
            throw .protocolViolation("more than " + String(maxQuestions) + " questions left unfinished")
        }
        answers[id] = state
    }

    private func handleBootstrap(_ bootstrapMessage: CapnpStructReader) throws(CapnpError) {
        let question = bootstrapMessage.uint32(at: 0)
        try newAnswer(question, .bootstrap)
        bootstrapReferences += 1
        emit(CapnpRPC.returnCapability(answerID: question, exportID: 0))
    }

    private func handleFinish(_ finish: CapnpStructReader) {
        let question = finish.uint32(at: 0)
        switch answers[question] {
        case .pending: answers[question] = .pendingFinished
        case .bootstrap:
            // releaseResultCaps (bit 32, default true) lets go of the capability we returned.
            if !finish.bool(at: 32) { bootstrapReferences = max(0, bootstrapReferences - 1) }
            answers[question] = nil
        case .returned: answers[question] = nil
        case .pendingFinished, nil: break
        }
    }

    private func handleCall(_ call: CapnpStructReader) throws(CapnpError) {
        let question = call.uint32(at: 0)
        try newAnswer(question, .pending)
        if let problem = try targetProblem(call) {
            return answerNow(question, .exception(.failed, problem))
        }
        guard call.uint16(at: 3) == 0 else {
            return answerNow(question, .exception(.unimplemented, "results can only be sent to the caller"))
        }
        let interface = call.uint64(at: 1)
        let method = call.uint16(at: 2)
        guard interface == bootstrap.interfaceID else {
            return answerNow(question, .exception(.unimplemented, "unknown interface 0x" + String(interface, radix: 16)))
        }
        guard pendingCalls < maxPendingCalls else {
            return answerNow(question, .exception(.overloaded, "too many calls in flight on this connection (at most "
                                                  + String(maxPendingCalls) + ")"))
        }
        let payload = try call.structField(1)
        let params = try payload?.structField(0)
        pendingCalls += 1
        let answer = CapnpAnswer { [self] outcome in
            self.pendingCalls -= 1
            self.deliver(question, outcome)
        }
        bootstrap.call(method: method, params: params ?? CapnpStructReader.empty(call.message, depth: 0), answer: answer)
    }

    /// Why the call's target is not the bootstrap capability; nil when it is.
    private func targetProblem(_ call: CapnpStructReader) throws(CapnpError) -> String? {
        guard let target = try call.structField(0) else { return "a call without a target" }
        switch target.uint16(at: CapnpRPC.targetTag) {
        case 0:
            return target.uint32(at: 0) == 0 ? nil : "no such capability: " + String(target.uint32(at: 0))
        case 1:
            pipelinedCalls += 1
            guard let promised = try target.structField(0) else { return "a promised answer without its question" }
            guard answers[promised.uint32(at: 0)] == .bootstrap else {
                return "question " + String(promised.uint32(at: 0)) + " holds no capability"
            }
            // The bootstrap answer is the capability itself: only no-op transforms lead to it.
            for op in try promised.structList(0) where op.uint16(at: 0) != 0 {
                return "the bootstrap capability has no fields"
            }
            return nil
        default:
            return "an unknown kind of call target"
        }
    }

    private func answerNow(_ question: UInt32, _ outcome: CapnpCallOutcome) {
        deliver(question, outcome)
    }

    private func deliver(_ question: UInt32, _ outcome: CapnpCallOutcome) {
        guard !isClosed else { return }
        answers[question] = answers[question] == .pendingFinished ? nil : .returned
        switch outcome {
        case .results(let dataWords, let pointerCount, let fill):
            callsAnswered += 1
            emit(CapnpRPC.returnResults(answerID: question, dataWords: dataWords, pointerCount: pointerCount, fill: fill))
        case .exception(let type, let reason):
            exceptionsSent += 1
            emit(CapnpRPC.returnException(answerID: question, type, reason))
        }
    }
}
