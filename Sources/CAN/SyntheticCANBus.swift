import JSON
import Runtime
import Synchronization

/// A bus with no hardware behind it: its reader thread generates classic frames at a set
/// rate (or as fast as the ring takes them), for benchmarks and demos. Each frame's 8 data
/// bytes are its sequence number (UInt64 little-endian) so a subscriber can spot losses and
/// reordering; its timestamp is the wall clock at generation, so a subscriber can measure
/// end-to-end latency from the payload alone. Frames it is asked to transmit are counted
/// and discarded.
public final class SyntheticCANBus: CANBus {
    /// Frames per second; 0 generates as fast as the reader can push.
    public let rate: Int
    /// The fastest pace `rate` may ask for (a real bus carries some 20,000 frames/s).
    public static let maxRate = 100_000_000
    /// Frames to generate in all; 0 for no end.
    public let count: Int
    /// Ids cycle through `baseID ..< baseID + idCount`.
    public let baseID: UInt32
    public let idCount: UInt32
    public let supportsFD = true
    private var readable: Wakeup?
    private let clock = MonotonicClock()
    private let generated = Atomic<Int>(0)
    // Reader-thread state.
    private var started: Instant?
    private var sequence: UInt64 = 0
    /// Frames handed to `transmit`.
    public private(set) var transmitted = 0

    /// A source of `count` frames (0 endless) at `rate` per second (0 unpaced).
    public init(rate: Int, count: Int = 0, baseID: UInt32 = 0x100, idCount: UInt32 = 16) {
        precondition(rate >= 0 && rate <= SyntheticCANBus.maxRate && count >= 0 && idCount > 0,
                     "synthetic bus: rate 0 to maxRate, count >= 0 and some ids")
        self.rate = rate
        self.count = count
        self.baseID = baseID
        self.idCount = idCount
    }

    public var name: String { "synthetic " + (rate == 0 ? "unpaced" : String(rate) + " frames/s") }

    public var descriptor: FileDescriptor { readable?.fd ?? FileDescriptor(-1) }

    /// Frames generated so far (any thread).
    public var generatedCount: Int { generated.load(ordering: .relaxed) }

    /// No timers of its own, and nothing that changes its `problem`.
    public func attach(to loop: EventLoop, onProblemChange: @escaping () -> Void) {}

    /// Makes the descriptor readable so the reader thread starts generating.
    public func open() throws(CANError) {
        guard readable == nil else { return }
        do throws(RuntimeError) { readable = try Wakeup() } catch { throw .runtime(error) }
        // Signalled and never drained while frames remain: the reader's poll returns at once
        // and the pacing happens in `receive`.
        readable?.signal()
    }

    /// Stops generating.
    public func close() { readable = nil }

    /// Reader thread: generates the frames due by now (sleeping briefly when none are).
    public func receive(_ deliver: (CANBusEvent) -> Void) -> CANReceiveOutcome {
        let now = clock.now()
        if started == nil { started = now }
        var due = 256
        if rate > 0 {
            let elapsed = (now - started!).nanoseconds
            // Full width: nanoseconds times frames per second passes 2^64 within days at
            // 100,000 frames/s (a trap). The quotient fits: it is at most elapsed * maxRate / 1e9.
            let product = UInt64(elapsed).multipliedFullWidth(by: UInt64(rate))
            let target = UInt64(1_000_000_000).dividingFullWidth(product).quotient
            due = target > sequence ? Int(min(target - sequence, 256)) : 0
        }
        if count > 0 { due = min(due, count - Int(sequence)) }
        if due <= 0 {
            if count > 0 && Int(sequence) >= count {
                readable?.drain() // done: let the reader sleep in poll
                return .drained
            }
            // Reader thread only: sleep until about the next frame is due.
            SystemCall.sleep(for: .microseconds(Int64(max(50, min(1000, 1_000_000 / max(rate, 1))))))
            return .drained
        }
        let stamp = WallClock.microsecondsSinceEpoch()
        for _ in 0..<due {
            let data = withUnsafeBytes(of: sequence.littleEndian) { CANFrameData($0) }
            let id = baseID + UInt32(sequence % UInt64(idCount))
            deliver(.frame(CANFrame(id: id, data: data, timestamp: stamp)))
            sequence += 1
        }
        generated.store(Int(sequence), ordering: .relaxed)
        return .drained
    }

    /// Never leaves replies: its frames are all there is.
    public func handleReplies(_ report: (CANBusEvent) -> Void) {}

    /// Counts and discards the frame.
    public func transmit(_ frame: CANFrame) throws(CANError) -> CANTransmitOutcome {
        guard readable != nil else { throw .notOpen }
        transmitted += 1
        return .accepted
    }

    public var hasPendingOutput: Bool { false }

    /// Nothing is ever queued.
    public func flushOutput() throws(CANError) {}

    /// Nothing to restart.
    public func restart() throws(CANError) {}

    public var problem: String? { nil }

    /// Rate and frames generated and transmitted.
    public func stateJSON() -> JSONValue {
        ["kind": "synthetic", "rate": .int(rate), "generated": .int(generatedCount), "transmitted": .int(transmitted)]
    }
}
