import Runtime
import Synchronization

/// The one thread a bus gets: it sleeps in `poll` on the bus descriptor, reads everything
/// available, pushes it into a lock-free SPSC ring and wakes the run loop, which drains the
/// ring in batches.
///
/// With a batch window (`can.batch_us`) the reader does not wake the loop for every frame:
/// after handing a read over it sleeps out the window, then reads what came meanwhile in
/// one go and wakes the loop once for all of it. At 9,000 frames/s that turns some 9,000
/// reader and loop wake-ups a second into about one per window each, for a delay of at most
/// the window; a frame after a quiet spell goes over at once. A bus at full rate can outrun one loop pass; the ring absorbs bursts,
/// and when even that is full the newest event is dropped and counted (`ring.dropped`):
/// the reader must never block, or the kernel's or adapter's own buffers overflow instead,
/// silently.
///
/// The ring outlives reader threads: after a bus closes and reopens, a new thread produces
/// into the same ring (thread start and join order the hand-over).
///
/// Unchecked Sendable: the thread body uses only the ring (lock-free), the atomics, the
/// stop eventfd and `reason`, which it writes before release-storing `finished`; the loop
/// reads `reason` only after acquire-loading it. `thread` belongs to the loop thread.
public final class CANReaderThread: @unchecked Sendable {
    public let ring: SPSCRing<CANBusEvent>
    private let stopSignal: Wakeup
    private var thread: WorkerThread?
    // Set by the reader when the bus closed under it; `reason` is written before the
    // releasing store and read after the acquiring load.
    private let finished = Atomic<Bool>(false)
    private var reason = ""
    /// Wake-ups sent to the loop (one per read batch, coalesced by the eventfd).
    private let wakeups = Atomic<Int>(0)

    /// A reader with a ring of `capacity` events (a power of two).
    public init(capacity: Int) throws(CANError) {
        do throws(RuntimeError) {
            ring = try SPSCRing<CANBusEvent>(capacity: capacity)
            stopSignal = try Wakeup()
        } catch {
            throw .runtime(error)
        }
    }

    deinit { stop() }

    /// Whether a reader thread is running (or finished and not yet joined).
    public var isRunning: Bool { thread != nil }

    /// Starts reading `bus` (which must be open); `wakeup` is the tunnel's own wake source on
    /// the run loop. `batchWindow` is how long frames may wait to be handed over together
    /// (zero: one wake-up per read).
    public func start(bus: CANBus, wakeup: WakeSource, batchWindow: Interval = .zero) throws(CANError) {
        precondition(thread == nil, "CAN reader started twice")
        finished.store(false, ordering: .relaxed)
        stopSignal.drain()
        let busFD = bus.descriptor, stopFD = stopSignal.fd
        let ring = self.ring, receiving = ReceiveSide(bus: bus)
        do throws(RuntimeError) {
            thread = try WorkerThread { [self] in
                let why = self.readLoop(bus: receiving.bus, busFD: busFD, stopFD: stopFD, ring: ring, wakeup: wakeup,
                                        window: batchWindow)
                if let why {
                    self.reason = why
                    self.finished.store(true, ordering: .releasing)
                    wakeup.signal()
                }
            }
        } catch {
            throw .runtime(error)
        }
    }

    /// Stops the thread and waits for it. Loop thread only; safe to call when not running.
    public func stop() {
        guard let thread else { return }
        stopSignal.signal()
        thread.join()
        self.thread = nil
    }

    /// Why the bus closed under the reader, once it did (the thread has then ended; call
    /// `stop()` to join it before reopening).
    public var closeReason: String? {
        finished.load(ordering: .acquiring) ? reason : nil
    }

    /// Wake-ups sent to the loop so far.
    public var wakeupCount: Int { wakeups.load(ordering: .relaxed) }

    /// The thread's body; returns why the bus closed, or nil when asked to stop.
    ///
    /// Reads, hands what it read to the loop at once, then (with a window) sleeps the window
    /// out before reading again: what arrives meanwhile waits in the bus (the kernel's or
    /// the adapter's buffer) and goes over in the next read. A frame after a quiet spell is
    /// handed over without waiting; under load the reader and the loop each wake about once
    /// per window, not once per frame, and no frame waits longer than the window.
    private func readLoop(
        bus: CANBus, busFD: FileDescriptor, stopFD: FileDescriptor, ring: SPSCRing<CANBusEvent>, wakeup: WakeSource,
        window: Interval
    ) -> String? {
        var waiting = PollSet(readable: [busFD, stopFD])
        while true {
            let ready: Int
            do throws(RuntimeError) { ready = try waiting.wait(timeout: nil) } catch { return error.description }
            if !waiting.events(at: 1).isEmpty { return nil }
            let events = waiting.events(at: 0)
            if ready == 0 || events.isEmpty { continue }
            if events.contains(.invalid) { return "the bus descriptor was closed" }
            var delivered = 0
            let outcome = bus.receive { event in
                ring.push(event)
                delivered += 1
            }
            if delivered > 0 {
                wakeups.add(1, ordering: .relaxed)
                wakeup.signal()
            }
            if case .closed(let why) = outcome { return why }
            // A hang-up or error that yields nothing to read would wake poll forever.
            if delivered == 0 && !events.isDisjoint(with: [.hangup, .error]) {
                return "the bus descriptor reported " + (events.contains(.hangup) ? "a hang-up" : "an error")
            }
            // Let the window's frames gather in the bus (a stop request waits at most this long).
            if delivered > 0 && window > .zero { SystemCall.sleep(for: window) }
        }
    }

    /// The bus as the reader thread sees it. `CANBus`'s threading contract (only `receive`
    /// runs on the reader thread, everything else on the loop) is what makes handing it over
    /// safe; the compiler cannot check a contract, hence unchecked.
    private struct ReceiveSide: @unchecked Sendable {
        let bus: CANBus
    }
}
