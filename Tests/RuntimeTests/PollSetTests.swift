import CSupport
import Runtime
import Testing

/// The blocking wait of worker threads (the CAN reader): the loop never uses it.
@Suite("PollSet and sleep for worker threads")
struct PollSetTests {
    private func makePipe() -> (reader: OwnedDescriptor, writer: OwnedDescriptor) {
        var fds: [Int32] = [-1, -1]
        precondition(pipe2(&fds, O_NONBLOCK | O_CLOEXEC) == 0)
        return (OwnedDescriptor(FileDescriptor(fds[0])), OwnedDescriptor(FileDescriptor(fds[1])))
    }

    @Test("says which descriptor became readable, and times out to 0 when none does")
    func reportsReadiness() throws {
        // Both write ends stay open: a closed one would be a hang-up, which is ready too.
        let (firstReader, firstWriter) = makePipe()
        let (secondReader, secondWriter) = makePipe()
        var set = PollSet(readable: [firstReader.fd, secondReader.fd])
        #expect(try set.wait(timeout: .milliseconds(20)) == 0)
        #expect(set.events(at: 0).isEmpty && set.events(at: 1).isEmpty)

        var byte: UInt8 = 1
        _ = write(secondWriter.fd.rawValue, &byte, 1)
        #expect(try set.wait(timeout: .seconds(1)) == 1)
        #expect(set.events(at: 0).isEmpty)
        #expect(set.events(at: 1).contains(.readable))
        withExtendedLifetime(firstWriter) {}
    }

    @Test("a descriptor closed under the waiter is reported invalid, not waited on forever")
    func closedDescriptorIsInvalid() throws {
        let (reader, _) = makePipe()
        let raw = dup(reader.fd.rawValue)
        close(raw)
        var set = PollSet(readable: [FileDescriptor(raw)])
        #expect(try set.wait(timeout: .seconds(1)) == 1)
        #expect(set.events(at: 0).contains(.invalid))
        #expect(set.events(at: 0).contains(.error))
    }

    @Test("another thread wakes a wait with no time limit")
    func wakesFromAnotherThread() throws {
        let wakeup = try Wakeup()
        let signaller = try WorkerThread {
            SystemCall.sleep(for: .milliseconds(20))
            wakeup.signal()
        }
        var set = PollSet(readable: [wakeup.fd])
        #expect(try set.wait() == 1)
        #expect(set.events(at: 0).contains(.readable))
        signaller.join()
    }

    @Test("sleep lasts at least as long as asked")
    func sleepsLongEnough() {
        let clock = MonotonicClock()
        let start = clock.now()
        SystemCall.sleep(for: .milliseconds(30))
        #expect(clock.now() - start >= .milliseconds(30))
    }
}
