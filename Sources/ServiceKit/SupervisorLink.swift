import CSupport
import Runtime

/// The gateway's side of `switchyard supervise` (OTA's `SlotSupervisor` is the other side;
/// this lives below both, so the gateway reports its health without importing a feature).
/// The supervisor passes the write end of a pipe in `$SWITCHYARD_HEALTH_FD`; the gateway
/// writes one line to it the first time it is healthy (broker connected, no service
/// failed), which is what commits a firmware on trial. The variable is read once, at
/// start-up, before any other thread runs.
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

    /// Whether a supervisor started this process.
    public let isSupervised: Bool
    private var pipe: FileDescriptor?

    public init() {
        guard let raw = getenv(SupervisorLink.healthVariable) else {
            isSupervised = false
            return
        }
        isSupervised = true
        if let number = Int32(String(cString: raw)), number > 2 { pipe = FileDescriptor(number) }
    }

    /// Writes `healthy` once, then closes the pipe.
    public func reportHealthy() {
        guard let fd = pipe else { return }
        pipe = nil
        try? fd.writeAll("healthy\n")
        fd.close()
    }
}
