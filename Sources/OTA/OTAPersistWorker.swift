import CSupport
import Runtime

/// The transfer's periodic durable writes, off the run loop: fsync of the slot file, then
/// the transfer record (temp, fsync, rename, directory fsync). On an SD card those take tens
/// of milliseconds, which the loop (MQTT, the other services) must not wait for.
///
/// The loop hands jobs over an `SPSCRing` (capacity 4; when full the job is skipped, and the
/// next tick persists a newer bitmap anyway) and hears back through a `WakeSource`. The
/// worker gets its own `dup` of the slot descriptor, so a transfer abandoned meanwhile can
/// close its descriptor safely. Shared across threads: the two rings (one producer and one
/// consumer each, which is what SPSCRing is for) and the eventfd; nothing else.
final class OTAPersistWorker {
    struct Job {
        /// A duplicate of the slot descriptor, closed by the worker; -1 asks it to stop.
        let fd: Int32
        let record: [UInt8]
        let path: String
        /// Chunks on disk once this job is done.
        let received: Int
    }

    /// What a job did: the chunks now recorded, or why it failed.
    struct Outcome {
        let received: Int
        let failure: String?
    }

    private let jobs: SPSCRing<Job>
    private let outcomes: SPSCRing<Outcome>
    private let wakeWorker: Wakeup
    private var done: WakeSource?
    private var thread: WorkerThread?
    /// Jobs handed over and not yet answered (a box the loop-side handler shares, since
    /// Embedded Swift has no weak references; loop thread only).
    private final class Counter { var value = 0 }
    private let counter = Counter()
    var pending: Int { counter.value }

    /// Starts the thread; `handler` runs on the loop with each outcome.
    init(loop: EventLoop, _ handler: @escaping (Outcome) -> Void) throws(RuntimeError) {
        jobs = try SPSCRing(capacity: 4)
        outcomes = try SPSCRing(capacity: 8)
        wakeWorker = try Wakeup()
        let outcomes = self.outcomes, counter = self.counter
        // The handler holds the rings and the counter, not the worker: `stop()` cancels it.
        done = try loop.wakeSource {
            while let outcome = outcomes.pop() {
                counter.value -= 1
                handler(outcome)
            }
        }
        let jobs = self.jobs, wake = wakeWorker, signal = done!
        thread = try WorkerThread {
            OTAPersistWorker.run(jobs: jobs, outcomes: outcomes, wake: wake, done: signal)
        }
    }

    /// Hands a job over; false when the worker is still busy with earlier ones.
    func submit(slot: FileDescriptor, record: [UInt8], path: String, received: Int) -> Bool {
        let copy = dup(slot.rawValue)
        guard copy >= 0 else { return false }
        guard jobs.tryPush(Job(fd: copy, record: record, path: path, received: received)) else {
            CSupport.close(copy)
            return false
        }
        counter.value += 1
        wakeWorker.signal()
        return true
    }

    /// Lets the worker finish what it has, then joins it.
    func stop() {
        guard let thread else { return }
        while !jobs.tryPush(Job(fd: -1, record: [], path: "", received: 0)) {
            wakeWorker.signal()
            usleep(1000)
        }
        wakeWorker.signal()
        thread.join()
        self.thread = nil
        done?.cancel()
        done = nil
    }

    deinit { stop() }

    private static func run(jobs: SPSCRing<Job>, outcomes: SPSCRing<Outcome>, wake: Wakeup, done: WakeSource) {
        var descriptor = pollfd(fd: wake.fd.rawValue, events: Int16(POLLIN), revents: 0)
        while true {
            _ = poll(&descriptor, 1, -1)
            wake.drain()
            while let job = jobs.pop() {
                guard job.fd >= 0 else { return }
                var failure: String? = nil
                do throws(RuntimeError) {
                    try FileDescriptor(job.fd).sync()
                    try FileSystem.replaceAtomically(path: job.path, bytes: job.record, mode: 0o600)
                } catch {
                    failure = error.description
                }
                CSupport.close(job.fd)
                // The outcome ring has twice the job ring's room: it cannot be full.
                outcomes.push(Outcome(received: job.received, failure: failure))
                done.signal()
            }
        }
    }
}
