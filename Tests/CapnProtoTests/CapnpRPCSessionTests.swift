import Testing
@testable import CapnProto

/// The RPC session against messages built the way a client builds them (rpc.capnp layouts).
struct CapnpRPCSessionTests {
    /// Answers method 0 at once with its params' UInt16 doubled; holds method 1's answer.
    final class Doubler: CapnpInterface {
        let interfaceID: UInt64 = 0x1234
        var held: [CapnpAnswer] = []
        func call(method: UInt16, params: CapnpStructReader, answer: CapnpAnswer) {
            if method == 1 { return held.append(answer) }
            let value = params.uint16(at: 0)
            answer.results(dataWords: 1, pointerCount: 0) { $0.setUInt16(at: 0, value &* 2) }
        }
    }

    /// What the session sent, decoded: the Message tag and its member struct.
    private func sent(_ bytes: [UInt8]) throws -> (tag: UInt16, member: CapnpStructReader?) {
        let root = try CapnpMessage.framed(bytes).root()
        return (root.uint16(at: 0), try root.structField(0))
    }

    private func bootstrap(_ question: UInt32) -> CapnpMessage {
        let (builder, member) = CapnpRPC.message(.bootstrap, dataWords: 1, pointerCount: 1)
        member.setUInt32(at: 0, question)
        return try! CapnpMessage.framed(builder.framed())
    }

    private func call(_ question: UInt32, method: UInt16, value: UInt16, promised: UInt32? = nil,
                      interface: UInt64 = 0x1234) -> CapnpMessage {
        let (builder, call) = CapnpRPC.message(.call, dataWords: 3, pointerCount: 3)
        call.setUInt32(at: 0, question)
        call.setUInt64(at: 1, interface)
        call.setUInt16(at: 2, method)
        let target = call.initStruct(0, dataWords: 1, pointerCount: 1)
        if let promised {
            target.setUInt16(at: 2, 1)
            target.initStruct(0, dataWords: 1, pointerCount: 1).setUInt32(at: 0, promised)
        }
        let payload = call.initStruct(1, dataWords: 0, pointerCount: 2)
        payload.initStruct(0, dataWords: 1, pointerCount: 0).setUInt16(at: 0, value)
        return try! CapnpMessage.framed(builder.framed())
    }

    private func finish(_ question: UInt32) -> CapnpMessage {
        let (builder, member) = CapnpRPC.message(.finish, dataWords: 1, pointerCount: 0)
        member.setUInt32(at: 0, question)
        return try! CapnpMessage.framed(builder.framed())
    }

    @Test func bootstrapThenPipelinedCallAnswers() throws {
        let session = CapnpRPCSession(bootstrap: Doubler())
        var out: [[UInt8]] = []
        session.send = { out.append($0) }
        #expect(try session.handle(bootstrap(0)))
        #expect(try session.handle(call(1, method: 0, value: 21, promised: 0)))
        #expect(out.count == 2)
        let capability = try sent(out[0])
        #expect(capability.tag == 3)
        let payload = try #require(try capability.member?.structField(0))
        #expect(payload.pointerWord(0) & 3 == 3, "the content is a capability pointer")
        let table = try payload.structList(1)
        #expect(table.count == 1 && table[0].uint16(at: 0) == 1 && table[0].uint32(at: 1) == 0)
        let answer = try sent(out[1])
        #expect(answer.tag == 3 && answer.member?.uint32(at: 0) == 1 && answer.member?.uint16(at: 3) == 0)
        #expect(try answer.member?.structField(0)?.structField(0)?.uint16(at: 0) == 42)
        #expect(session.pipelinedCalls == 1)
    }

    @Test func unknownInterfaceAndMissingCapabilityAreExceptionsNotAborts() throws {
        let session = CapnpRPCSession(bootstrap: Doubler())
        var out: [[UInt8]] = []
        session.send = { out.append($0) }
        #expect(try session.handle(call(1, method: 0, value: 1, interface: 0x9999)))
        #expect(try session.handle(call(2, method: 0, value: 1, promised: 7)))
        for (index, type) in [(0, CapnpExceptionType.unimplemented), (1, .failed)] {
            let answer = try sent(out[index])
            #expect(answer.member?.uint16(at: 3) == 1, "an exception")
            #expect(try answer.member?.structField(0)?.uint16(at: 2) == type.rawValue)
        }
    }

    @Test func questionIdsAreNotReusedBeforeFinish() throws {
        let session = CapnpRPCSession(bootstrap: Doubler())
        #expect(try session.handle(call(5, method: 0, value: 1)))
        #expect(throws: CapnpError.self) { try session.handle(call(5, method: 0, value: 1)) }
        let again = CapnpRPCSession(bootstrap: Doubler())
        #expect(try again.handle(call(5, method: 0, value: 1)))
        #expect(try again.handle(finish(5)))
        #expect(try again.handle(call(5, method: 0, value: 1)))
    }

    @Test func unfinishedQuestionsAndPendingCallsAreBounded() throws {
        let interface = Doubler()
        let session = CapnpRPCSession(bootstrap: interface, maxQuestions: 4, maxPendingCalls: 2)
        var out: [[UInt8]] = []
        session.send = { out.append($0) }
        for question in 0..<3 { #expect(try session.handle(call(UInt32(question), method: 1, value: 0))) }
        #expect(interface.held.count == 2)
        // The third held call was answered at once: overloaded.
        #expect(try sent(out[0]).member?.structField(0)?.uint16(at: 2) == CapnpExceptionType.overloaded.rawValue)
        #expect(try session.handle(call(3, method: 0, value: 0)))
        #expect(throws: CapnpError.protocolViolation("more than 4 questions left unfinished")) {
            try session.handle(call(4, method: 0, value: 0))
        }
        // A held answer finished by the peer first still gets its Return, then is forgotten.
        #expect(try session.handle(finish(0)))
        interface.held[0].results(dataWords: 0, pointerCount: 0) { _ in }
        #expect(try sent(out.last!).member?.uint32(at: 0) == 0)
        #expect(try session.handle(call(0, method: 0, value: 0)))
        // After close, a late answer goes nowhere.
        let count = out.count
        session.close()
        interface.held[1].results(dataWords: 0, pointerCount: 0) { _ in }
        #expect(out.count == count)
    }

    @Test func resolveAndDisembargoGetUnimplementedAndAReturnIsAViolation() throws {
        let session = CapnpRPCSession(bootstrap: Doubler())
        var out: [[UInt8]] = []
        session.send = { out.append($0) }
        let (builder, _) = CapnpRPC.message(.disembargo, dataWords: 1, pointerCount: 1)
        #expect(try session.handle(CapnpMessage.framed(builder.framed())))
        let echo = try sent(out[0])
        #expect(echo.tag == 0 && echo.member?.uint16(at: 0) == CapnpRPC.Which.disembargo.rawValue)
        let (ret, _) = CapnpRPC.message(.return, dataWords: 2, pointerCount: 1)
        #expect(throws: CapnpError.self) { try session.handle(CapnpMessage.framed(ret.framed())) }
        let (abort, _) = CapnpRPC.message(.abort, dataWords: 1, pointerCount: 2)
        #expect(try session.handle(CapnpMessage.framed(abort.framed())) == false)
    }
}
