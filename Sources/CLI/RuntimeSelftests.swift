import CSupport
import Runtime

/// Selftest checks of the Runtime module: the scheduler and the cross-thread ring. They live
/// here, the lowest module that knows what a selftest check is (Runtime sits below it).
public enum RuntimeSelftests {
    /// The run loop, then the ring: in the order `switchyard selftest` prints them.
    public static var checks: [SelftestCheck] {[
        SelftestCheck("run loop", run: runLoop),
        SelftestCheck("ring across threads", run: ringAcrossThreads),
    ]}

    /// A fixed-rate task, a one-shot timer, a pipe watch and a wake-up from another thread,
    /// all in one loop, with a 2 s guard timer so a broken loop fails instead of hanging.
    static func runLoop() -> SelftestOutcome {
        let loop: EventLoop
        do throws(RuntimeError) { loop = try EventLoop() } catch { return .failed(error.description) }
        var ticks = 0, timerFired = false, pipeRead = false, woken = false, timedOut = false
        loop.addTask("selftest", every: .milliseconds(2)) { ticks += 1 }

        var fds: [Int32] = [-1, -1]
        guard pipe2(&fds, O_NONBLOCK | O_CLOEXEC) == 0 else { return .failed("pipe2: \(Errno.current.description)") }
        let reader = OwnedDescriptor(FileDescriptor(fds[0])), writer = OwnedDescriptor(FileDescriptor(fds[1]))
        loop.watch(reader.fd) { _ in
            var byte: UInt8 = 0
            pipeRead = CSupport.read(reader.fd.rawValue, &byte, 1) == 1 && byte == 0x5A
        }
        loop.after(.milliseconds(5)) {
            timerFired = true
            var byte: UInt8 = 0x5A
            _ = CSupport.write(writer.fd.rawValue, &byte, 1)
        }
        loop.after(.seconds(2)) { timedOut = true; loop.stop() }

        let wakeup: WakeSource
        do throws(RuntimeError) { wakeup = try loop.wakeSource { woken = true } } catch { return .failed(error.description) }
        let thread: WorkerThread
        do throws(RuntimeError) { thread = try WorkerThread { wakeup.signal() } } catch { return .failed(error.description) }

        // Not run(): stop as soon as everything happened, or at the guard timer.
        while !(ticks >= 20 && timerFired && pipeRead && woken) && !timedOut {
            do throws(RuntimeError) { try loop.runOnce(maxWait: nil) } catch { return .failed(error.description) }
        }
        thread.join()
        if timedOut {
            return .failed("timed out: ticks \(ticks), timer \(timerFired), pipe \(pipeRead), wake-up \(woken)")
        }
        let stats = loop.tasks[0].stats
        return .passed("\(stats.runs) fixed-rate runs, \(stats.overruns) overruns, timer, descriptor, wake-up")
    }

    /// One producer thread, one consumer (this thread): every item arrives once, in order.
    static func ringAcrossThreads() -> SelftestOutcome {
        let count = 1_000_000
        let ring: SPSCRing<Int>
        do throws(RuntimeError) { ring = try SPSCRing<Int>(capacity: 1024) } catch { return .failed(error.description) }
        let producer: WorkerThread
        do throws(RuntimeError) {
            producer = try WorkerThread {
                var next = 0
                while next < count {
                    if ring.tryPush(next) { next += 1 }
                }
            }
        } catch { return .failed(error.description) }
        var expected = 0
        while expected < count {
            guard let item = ring.pop() else { continue }
            if item != expected {
                producer.join()
                return .failed("item \(item) arrived where \(expected) was expected")
            }
            expected += 1
        }
        producer.join()
        guard ring.pop() == nil else { return .failed("an item arrived twice") }
        return .passed("\(count) items in order, none lost or repeated")
    }
}
