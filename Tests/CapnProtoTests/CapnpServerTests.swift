import Foundation
import Runtime
import TestSupport
import Testing
@testable import CapnProto

/// The server on a real socket (a Unix socketpair) inside a run loop: messages split across
/// reads, answers written back, a stalled message and a bad one each closing the connection.
@Suite("Cap'n Proto server on a socketpair")
struct CapnpServerTests {
    final class Echo: CapnpInterface {
        let interfaceID: UInt64 = 0x42
        func call(method: UInt16, params: CapnpStructReader, answer: CapnpAnswer) {
            answer.results(dataWords: 1, pointerCount: 0) { $0.setUInt16(at: 0, method) }
        }
    }

    private func pair() -> (server: FileDescriptor, client: Int32) {
        var fds: [Int32] = [0, 0]
        precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        return (FileDescriptor(fds[0]), fds[1])
    }

    private func write(_ fd: Int32, _ bytes: ArraySlice<UInt8>) {
        let sent = Array(bytes).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        precondition(sent == bytes.count)
    }

    /// Reads what is there; nil at end of file.
    private func read(_ fd: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count == 0 { return nil }
        return count > 0 ? Array(buffer[0..<count]) : []
    }

    private func callMessage(question: UInt32, method: UInt16) -> [UInt8] {
        let (builder, call) = CapnpRPC.message(.call, dataWords: 3, pointerCount: 3)
        call.setUInt32(at: 0, question)
        call.setUInt64(at: 1, 0x42)
        call.setUInt16(at: 2, method)
        _ = call.initStruct(0, dataWords: 1, pointerCount: 1)
        return builder.framed()
    }

    @Test func answersMessagesSplitAcrossReadsThenDropsAStalledOne() throws {
        let loop = try EventLoop()
        let server = CapnpServer(loop: loop, readTimeout: .milliseconds(300))
        let (serverEnd, client) = pair()
        defer { close(client) }
        let first = callMessage(question: 1, method: 7)
        // The door already read the first three bytes.
        server.adopt(serverEnd, peer: "test", initialBytes: Array(first[0..<3]), bootstrap: Echo())
        for index in 3..<first.count { write(client, first[index...index]) }
        var received: [UInt8] = []
        var assembler = CapnpFrameAssembler()
        var answer: CapnpMessage?
        #expect(loop.run(timeout: 5) {
            if let bytes = read(client), !bytes.isEmpty {
                received += bytes
                bytes.withUnsafeBytes { assembler.feed($0) }
                answer = try? assembler.next()
            }
            return answer != nil
        })
        let ret = try #require(try answer?.root().structField(0))
        #expect(ret.uint32(at: 0) == 1)
        #expect(try ret.structField(0)?.structField(0)?.uint16(at: 0) == 7)

        // Half a message, then nothing: closed after the read timeout.
        let second = callMessage(question: 2, method: 1)
        write(client, second[0..<(second.count / 2)])
        var closed = false
        #expect(loop.run(timeout: 5) {
            if read(client) == nil { closed = true }
            return closed
        })
        #expect(server.timedOutClients == 1 && server.clientCount == 0)
    }

    @Test func aMessageTooLargeClosesItsConnectionOnly() throws {
        let loop = try EventLoop()
        let server = CapnpServer(loop: loop)
        let (badEnd, bad) = pair()
        let (goodEnd, good) = pair()
        defer {
            close(bad)
            close(good)
        }
        server.adopt(badEnd, peer: "bad", initialBytes: [], bootstrap: Echo())
        server.adopt(goodEnd, peer: "good", initialBytes: [], bootstrap: Echo())
        // One segment of 100,000 words: refused from the header, before any body arrives.
        write(bad, [0, 0, 0, 0, 0xA0, 0x86, 0x01, 0][...])
        var badClosed = false
        #expect(loop.run(timeout: 5) {
            while let bytes = read(bad) { if bytes.isEmpty { return false } }
            badClosed = true
            return true
        })
        #expect(badClosed && server.oversizedMessages == 1 && server.clientCount == 1)
        write(good, callMessage(question: 0, method: 3)[...])
        var answered = false
        #expect(loop.run(timeout: 5) {
            if let bytes = read(good), !bytes.isEmpty { answered = true }
            return answered
        })
    }
}
