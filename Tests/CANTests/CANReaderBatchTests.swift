import CAN
import Foundation
import Runtime
import Testing

/// The reader's batch window (`can.batch_us`): frames wait in the reader at most about the
/// window, and the loop is woken about once per window instead of once per read.
@Suite("CAN reader batching")
struct CANReaderBatchTests {
    /// Runs a synthetic bus of `count` frames at `rate`/s through a reader with `window`;
    /// returns the frames the loop drained, the wake-ups the reader sent, how long it took.
    private func run(rate: Int, count: Int, window: Interval) throws -> (frames: Int, wakeups: Int, seconds: Double) {
        let loop = try EventLoop()
        let reader = try CANReaderThread(capacity: 4096)
        var frames = 0
        let wake = try loop.wakeSource {
            _ = reader.ring.drain { event in if case .frame = event { frames += 1 } }
        }
        let bus = SyntheticCANBus(rate: rate, count: count)
        try bus.open()
        let started = Date()
        try reader.start(bus: bus, wakeup: wake, batchWindow: window)
        let done = loop.run(timeout: 10) { frames >= count }
        let seconds = Date().timeIntervalSince(started)
        reader.stop()
        wake.cancel()
        bus.close()
        #expect(done, "only \(frames) of \(count) frames reached the loop")
        return (frames, reader.wakeupCount, seconds)
    }

    @Test("a 5 ms window wakes the loop about once per window at 10,000 frames/s, losing nothing")
    func windowCoalescesWakeups() throws {
        let result = try run(rate: 10_000, count: 5_000, window: .milliseconds(5))
        #expect(result.frames == 5_000)
        // ~0.5 s of frames: about 100 windows. Unbatched, a wake-up per read would be
        // thousands; slack for a loaded machine only ever lowers the count.
        let windows = Int(result.seconds / 0.005) + 2
        #expect(result.wakeups <= windows, "\(result.wakeups) wake-ups in \(result.seconds) s")
    }

    @Test("the last frames of a batch are handed over when the window runs out, not held for more")
    func lastBatchIsFlushed() throws {
        // Three frames, then the bus goes quiet: they must still reach the loop.
        let result = try run(rate: 1_000, count: 3, window: .milliseconds(20))
        #expect(result.frames == 3)
        #expect(result.wakeups >= 1)
    }

    @Test("a frame after a quiet spell is handed over at once, not held for the window")
    func firstFrameIsNotHeld() throws {
        // One frame, a 1 s window: held for the window it would take 1 s to reach the loop.
        let result = try run(rate: 1_000, count: 1, window: .milliseconds(1_000))
        #expect(result.frames == 1)
        #expect(result.seconds < 0.5, "the frame took \(result.seconds) s")
    }

    @Test("window 0 keeps a wake-up per read")
    func zeroWindowIsUnbatched() throws {
        let batched = try run(rate: 10_000, count: 3_000, window: .milliseconds(5))
        let unbatched = try run(rate: 10_000, count: 3_000, window: .zero)
        #expect(unbatched.frames == 3_000)
        #expect(unbatched.wakeups > batched.wakeups)
    }
}
