import CSupport
import Runtime
import Testing

@Suite("Run loop descriptors and wake-ups")
struct RunLoopIOTests {
    private func makePipe() -> (reader: OwnedDescriptor, writer: OwnedDescriptor) {
        var fds: [Int32] = [-1, -1]
        precondition(pipe2(&fds, O_NONBLOCK | O_CLOEXEC) == 0)
        return (OwnedDescriptor(FileDescriptor(fds[0])), OwnedDescriptor(FileDescriptor(fds[1])))
    }

    @Test("a readable descriptor calls its handler; write interest can change at any time")
    func descriptorReadiness() throws {
        let loop = try EventLoop()
        let (reader, writer) = makePipe()
        var readable = 0
        loop.watch(reader.fd, interest: .read) { events in
            if events.contains(.readable) {
                readable += 1
                var byte: UInt8 = 0
                _ = read(reader.fd.rawValue, &byte, 1)
            }
        }
        var writable = 0
        let writeWatch = loop.watch(writer.fd, interest: .none) { events in
            if events.contains(.writable) { writable += 1 }
        }
        try loop.runOnce(maxWait: .milliseconds(10))
        #expect(readable == 0)
        #expect(writable == 0, "no write interest, no write events")

        var byte: UInt8 = 1
        _ = write(writer.fd.rawValue, &byte, 1)
        try loop.runOnce(maxWait: .milliseconds(100))
        #expect(readable == 1)

        writeWatch.interest = .write
        try loop.runOnce(maxWait: .milliseconds(100))
        #expect(writable == 1)
        writeWatch.interest = .none
        try loop.runOnce(maxWait: .milliseconds(10))
        #expect(writable == 1)
    }

    @Test("a hung-up peer is reported")
    func hangup() throws {
        let loop = try EventLoop()
        var (reader, writer): (OwnedDescriptor, OwnedDescriptor?) = makePipe()
        var events: IOEvents = []
        loop.watch(reader.fd) { events = $0 }
        writer = nil // releasing the owner closes the write end
        #expect(writer == nil)
        try loop.runOnce(maxWait: .milliseconds(100))
        #expect(events.contains(.hangup))
    }

    @Test("another thread wakes a loop that would otherwise sleep forever")
    func wakeupFromAnotherThread() throws {
        let loop = try EventLoop()
        var woken = 0
        let wakeup = try loop.wakeSource { woken += 1; loop.stop() }
        let thread = try WorkerThread {
            usleep(20_000)
            wakeup.signal()
        }
        // No tasks, no timers: run() sleeps in poll until the other thread signals.
        try loop.run()
        thread.join()
        #expect(woken == 1)
        #expect(loop.iterations <= 2, "the loop slept instead of spinning")
    }

    @Test("a wake source runs only its own handler, and none once cancelled")
    func wakeSourcesArePerProducer() throws {
        let loop = try EventLoop()
        var first = 0, second = 0
        let one = try loop.wakeSource { first += 1 }
        let two = try loop.wakeSource { second += 1 }
        let watching = loop.watchCount
        one.signal()
        one.signal() // coalesces with the first
        try loop.runOnce(maxWait: .milliseconds(100))
        #expect(first == 1 && second == 0)
        two.signal()
        try loop.runOnce(maxWait: .milliseconds(100))
        #expect(first == 1 && second == 1)
        two.cancel()
        two.signal()
        try loop.runOnce(maxWait: .milliseconds(20))
        #expect(second == 1, "a cancelled source must not run its handler")
        #expect(loop.watchCount == watching - 1)
    }

    @Test("an idle loop sleeps until its next deadline")
    func idleLoopSleeps() throws {
        let loop = try EventLoop()
        var runs = 0
        loop.addTask("slow", every: .milliseconds(50)) { runs += 1; if runs == 3 { loop.stop() } }
        try loop.run()
        #expect(runs == 3)
        #expect(loop.iterations <= 4, "one poll per deadline, not a busy loop: \(loop.iterations)")
    }

    @Test("a cancelled watch is not called again")
    func cancelledWatch() throws {
        let loop = try EventLoop()
        let (reader, writer) = makePipe()
        var calls = 0
        let watch = loop.watch(reader.fd) { _ in calls += 1 }
        var byte: UInt8 = 1
        _ = write(writer.fd.rawValue, &byte, 1)
        try loop.runOnce(maxWait: .milliseconds(50))
        watch.cancel()
        try loop.runOnce(maxWait: .milliseconds(20))
        #expect(calls == 1)
    }
}
