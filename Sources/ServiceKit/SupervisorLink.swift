import CSupport
import Runtime

/// The gateway's side of `switchyard supervise` (OTA's `SlotSupervisor` is the other side;
/// this lives below both, so the gateway reports its health without importing a feature).
/// The supervisor passes the write end of a pipe in `$SWITCHYARD_HEALTH_FD`; the gateway
/// writes one line to it the first time it is healthy (broker connected, no service
/// failed), which is what commits a firmware on trial. The variable is read once, at
/// start-up, before any other thread runs.
///
/// When the supervisor also passes `$SWITCHYARD_HEARTBEAT_MS` (issue 27), the pipe stays open
/// and the run loop writes one `.` to it at that period from a fixed-rate task: a loop that is
/// blocked or a process that is stopped falls silent, and the supervisor restarts it (and,
/// when restarts do not help, lets the hardware watchdog reset the board). A supervisor
/// that does not pass the variable gets only the healthy line, as before.
public final class SupervisorLink {
    /// The variable holding the health pipe's descriptor number.
    public static let healthVariable = "SWITCHYARD_HEALTH_FD"
    /// Exit status of a gateway asking its supervisor for a restart (EX_TEMPFAIL).
    public static let restartStatus: Int32 = 75
    /// The file in the data directory where the supervisor keeps why the gateway last
    /// ended on its own (how, when, its last output lines); the next start shows it once.
    public static let lastCrashFile = "last-crash"
    /// The `run` option the supervisor adds after repeated crashes: safe mode (console,
    /// uplink, OTA only).
    public static let safeModeOption = "--safe-mode"
    /// The variable holding the heartbeat period in milliseconds, when the supervisor wants one.
    public static let heartbeatVariable = "SWITCHYARD_HEARTBEAT_MS"
    /// The byte a heartbeat writes; any other byte on the pipe is the healthy report.
    public static let heartbeatByte = UInt8(ascii: ".")
    /// The periods a gateway accepts from `$SWITCHYARD_HEARTBEAT_MS`.
    public static let heartbeatRange: ClosedRange<Int64> = 100...60_000

    /// Whether a supervisor started this process.
    public let isSupervised: Bool
    private var pipe: FileDescriptor?
    /// The heartbeat period the supervisor asked for, if any.
    private var heartbeatPeriod: Interval?
    private var heartbeatTask: FixedRateTask?
    private var reported = false

    public init() {
        guard let raw = getenv(SupervisorLink.healthVariable) else {
            isSupervised = false
            return
        }
        isSupervised = true
        if let number = Int32(String(cString: raw)), number > 2 { pipe = FileDescriptor(number) }
        if let text = getenv(SupervisorLink.heartbeatVariable), let milliseconds = Int64(String(cString: text)),
           SupervisorLink.heartbeatRange.contains(milliseconds) {
            heartbeatPeriod = .milliseconds(milliseconds)
        }
    }

    /// Starts the heartbeat on `loop` when the supervisor asked for one: a first beat now,
    /// then one every period. The pipe turns non-blocking: a supervisor that stops reading
    /// must not stop the gateway (its watchdog resets the board anyway).
    public func startHeartbeat(on loop: EventLoop) {
        guard let fd = pipe, let period = heartbeatPeriod, heartbeatTask == nil else { return }
        try? fd.setNonBlocking()
        beat()
        heartbeatTask = loop.addTask("supervisor heartbeat", every: period) { [self] in self.beat() }
    }

    private func beat() {
        guard let fd = pipe else { return }
        var byte = SupervisorLink.heartbeatByte
        // A full pipe (EAGAIN) or a gone supervisor (EPIPE, ignored signal): nothing to do here.
        _ = write(fd.rawValue, &byte, 1)
    }

    /// Writes `healthy` once; then closes the pipe unless it carries heartbeats.
    public func reportHealthy() {
        guard let fd = pipe, !reported else { return }
        reported = true
        try? fd.writeAll("healthy\n")
        guard heartbeatPeriod == nil else { return }
        pipe = nil
        fd.close()
    }
}
