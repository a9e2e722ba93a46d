// modules: CapnProto
// Any bytes a client sends to the Cap'n Proto door: framing, pointers (far ones included)
// and the RPC messages must be refused or answered without crashing, within the limits, and
// every message the session sends back must itself decode.
import CapnProto
import CSupport
import Runtime

/// Answers every call the way the BCMS binding does: reads a text, a bool and an enum from
/// the params, answers a struct with a text list (and pends one call in four, answered by the
/// next call, to exercise answers that come later).
private final class EchoInterface: CapnpInterface {
    let interfaceID: UInt64 = 0xa1e9_d9c7_74c2_3b6a
    var held: CapnpAnswer?

    func call(method: UInt16, params: CapnpStructReader, answer: CapnpAnswer) {
        let text: String
        do throws(CapnpError) { text = try params.text(0) } catch { return answer.exception(.failed, error.description) }
        let flag = params.bool(at: 0)
        let mode = params.uint16(at: 0)
        if let earlier = held {
            held = nil
            earlier.results(dataWords: 1, pointerCount: 1) { $0.setBool(at: 0, flag) }
        }
        if method % 4 == 3 {
            held = answer
            return
        }
        answer.results(dataWords: 1, pointerCount: 2) { results in
            results.setUInt16(at: 0, mode)
            results.setText(0, text)
            results.setTextList(1, [text, String(method)])
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let interface = EchoInterface()
    let session = CapnpRPCSession(bootstrap: interface, maxQuestions: 16, maxPendingCalls: 2)
    // A held answer refers to the session: let go of both, as a closing connection does.
    defer {
        session.close()
        interface.held = nil
    }
    session.send = { framed in
        do throws(CapnpError) {
            _ = try CapnpMessage.framed(framed).root().uint16(at: 0)
        } catch {
            preconditionFailure("a message we send must decode: " + error.description)
        }
    }
    var limits = CapnpLimits.standard
    // Small limits, so the fuzzer reaches them.
    limits.traversalWords = 4096
    limits.maxMessageWords = 1024
    var assembler = CapnpFrameAssembler(limits: limits)
    // Fed in two pieces: messages split across reads must assemble the same.
    let half = size / 2
    for piece in [UnsafeRawBufferPointer(rebasing: bytes[0..<half]), UnsafeRawBufferPointer(rebasing: bytes[half...])] {
        assembler.feed(piece)
        while true {
            do throws(CapnpError) {
                guard let message = try assembler.next() else { break }
                guard try session.handle(message) else { return 0 }
            } catch {
                return 0
            }
        }
    }
    return 0
}
