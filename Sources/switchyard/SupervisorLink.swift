import CSupport
import Runtime

/// The gateway's side of `switchyard supervise`: the supervisor passes the write end of a
/// pipe in `$SWITCHYARD_HEALTH_FD`; the gateway writes one line to it the first time it is
/// healthy (broker connected, no service failed), which is what commits a firmware on trial.
enum SupervisorLink {
    static let healthVariable = "SWITCHYARD_HEALTH_FD"
    /// Exit status of a gateway asking its supervisor for a restart (EX_TEMPFAIL).
    static let restartStatus: Int32 = 75

    /// Whether a supervisor started this process.
    static var isSupervised: Bool { getenv(healthVariable) != nil || getenv(healthVariable + "_DONE") != nil }

    /// Writes `healthy` once, then closes the pipe (further calls find no variable).
    static func reportHealthy() {
        guard let raw = getenv(healthVariable) else { return }
        let text = String(cString: raw)
        unsetenv(healthVariable)
        // Kept for isSupervised: the pipe is gone, the supervisor still is.
        setenv(healthVariable + "_DONE", "1", 1)
        guard let number = Int32(text), number > 2 else { return }
        let fd = FileDescriptor(number)
        try? fd.writeAll("healthy\n")
        fd.close()
    }
}
