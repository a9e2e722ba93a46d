import JSON
import Runtime

/// A CAN bus the tunnel can read and write: SocketCAN, an SLCAN adapter, or a synthetic
/// source for benchmarks. Class-bound so the tunnel can hold any of them.
///
/// Threading contract: `receive` runs only on the bus's reader thread; everything else runs
/// on the loop thread. The two sides share nothing but the descriptor (reads on one thread
/// and writes on another are fine for sockets and ttys) and the lock-free rings the reader
/// fills, so no locks are needed.
public protocol CANBus: AnyObject {
    /// For logs and state: `socketcan can0`, `slcan /dev/ttyACM0`.
    var name: String { get }
    /// The descriptor the reader thread polls for readability (valid while open).
    var descriptor: FileDescriptor { get }
    /// Whether the bus can carry CAN FD frames.
    var supportsFD: Bool { get }

    /// Loop thread, once, before the first `open()`: the loop the bus runs its own timers
    /// on (an adapter's reply watchdog), and what to call when `problem` changes by itself
    /// (a watchdog fired, a late reply arrived), so the service's health follows.
    func attach(to loop: EventLoop, onProblemChange: @escaping () -> Void)
    /// Opens and configures the bus (bit rate, mode). Must not block for long: it runs on
    /// the loop. Settings the bus cannot apply are logged, not fatal, when it still works.
    func open() throws(CANError)
    /// Closes the bus. The reader thread must have stopped.
    func close()

    /// Reader thread: reads everything available without blocking, handing each event to
    /// `deliver`.
    func receive(_ deliver: (CANBusEvent) -> Void) -> CANReceiveOutcome
    /// Loop thread, for each `.busReplies` event: acts on the replies the reader left for
    /// the bus itself, reporting what the tunnel should count (`.refused`, `.busError`).
    func handleReplies(_ report: (CANBusEvent) -> Void)

    /// Loop thread: writes `frame` or queues it behind earlier ones.
    func transmit(_ frame: CANFrame) throws(CANError) -> CANTransmitOutcome
    /// Loop thread: whether queued output waits for the descriptor to become writable.
    var hasPendingOutput: Bool { get }
    /// Loop thread: writes what it can of the queued output.
    func flushOutput() throws(CANError)

    /// Loop thread: restarts the bus after an error (bus-off), where the bus can.
    func restart() throws(CANError)
    /// Loop thread: what impairs a bus that is open (bus-off, error passive), or nil.
    var problem: String? { get }
    /// Bus-specific details for the state block (bitrate, adapter version, controller state).
    func stateJSON() -> JSONValue
}
