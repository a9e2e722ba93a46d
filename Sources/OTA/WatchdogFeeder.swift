import CSupport
import Runtime

/// The hardware watchdog (`/dev/watchdog`: bcm2835_wdt on a Pi, i6300esb under qemu), held
/// by `switchyard supervise`. Opening it arms it; the supervisor's run loop writes to it every
/// third of the timeout, so a supervisor that hangs (or a kernel that stops scheduling it)
/// lets the board reset. A gateway crashing and restarting within its backoff keeps it fed:
/// the supervisor is alive. A gateway that stays silent past `watchdog.gateway_silence_s`
/// through restarts makes `isAlive` false, and the feeding stops until it beats again. On a
/// clean stop the magic close (`V` before closing) disarms it,
/// so a reboot or a service restart is not taken for a hang.
///
/// `apply(seconds:)` is called before each start of the gateway with `watchdog.timeout_s` as
/// saved then: it arms, re-times or disarms, so the setting does not wait for a reboot.
final class WatchdogFeeder {
    // _IOWR('W', 6, int) and _IOR('W', 7, int) from <linux/watchdog.h>; the same numbers on
    // arm64 and x86_64, spelled out because Swift cannot import the _IOWR macros.
    static let setTimeoutRequest: UInt = 0xC004_5706
    static let getTimeoutRequest: UInt = 0x8004_5707
    static let defaultPath = "/dev/watchdog"

    private let path: String
    private let loop: EventLoop
    private var fd: FileDescriptor?
    private var task: FixedRateTask?
    /// The `watchdog.timeout_s` last applied (nil before the first): an unchanged value is
    /// not applied again, so a missing device is reported once, not at every start.
    private var applied: Int?
    /// The timeout the driver settled on (it may round or clamp what was asked); 0 when off.
    private var timeoutSeconds: Int32 = 0
    private let log = Logger("watchdog")
    /// Asked before each feed: whether what the supervisor watches is still alive.
    var isAlive: () -> Bool = { true }
    private var starving = false

    /// Nothing is opened until `apply(seconds:)`.
    init(path: String = defaultPath, loop: EventLoop) {
        self.path = path
        self.loop = loop
    }

    /// Arms the watchdog with `seconds`, re-times it, or disarms it at 0.
    func apply(seconds: Int) {
        guard seconds != applied else { return }
        let first = applied == nil
        applied = seconds
        guard seconds > 0 else {
            if fd != nil {
                disarm()
                log.info("watchdog.timeout_s is now 0: hardware watchdog disarmed")
            } else if first {
                log.info("watchdog.timeout_s is 0: the hardware watchdog stays off")
            }
            return
        }
        let wasArmed = fd != nil
        if !wasArmed {
            do throws(RuntimeError) { fd = try FileDescriptor.open(path, flags: O_WRONLY) } catch {
                log.info("no hardware watchdog (" + error.description + "): a hung supervisor is not reset")
                return
            }
        }
        guard let fd else { return }
        setTimeout(fd, seconds)
        feed()
        schedule()
        log.info("hardware watchdog " + (wasArmed ? "re-timed" : "armed") + ": the board resets after "
            + String(timeoutSeconds) + " s without the supervisor")
    }

    /// Asks the driver for `seconds`; drivers without WDIOF_SETTIMEOUT keep their own, so
    /// `timeoutSeconds` is what it reports.
    private func setTimeout(_ fd: FileDescriptor, _ seconds: Int) {
        var value = Int32(seconds)
        if sy_ioctl_int(fd.rawValue, WatchdogFeeder.setTimeoutRequest, &value) != 0 {
            log.warning("cannot set the watchdog timeout to " + String(seconds) + " s: " + Errno.current.description)
            if sy_ioctl_int(fd.rawValue, WatchdogFeeder.getTimeoutRequest, &value) != 0 { value = Int32(seconds) }
        }
        timeoutSeconds = value
    }

    /// Feeds every third of the timeout.
    private func schedule() {
        task?.cancel()
        let period = Interval.milliseconds(Int64(max(1, timeoutSeconds)) * 1000 / 3)
        task = loop.addTask("watchdog", every: period, firstDelay: period) { [self] in self.feed() }
    }

    private func feed() {
        guard let fd else { return }
        guard isAlive() else {
            if !starving { log.error("no longer feeding the hardware watchdog: the board resets in "
                + String(timeoutSeconds) + " s unless the gateway beats again") }
            starving = true
            return
        }
        if starving { log.warning("feeding the hardware watchdog again: the gateway beats") }
        starving = false
        var byte: UInt8 = 0x2E
        _ = write(fd.rawValue, &byte, 1)
    }

    /// Disarms the watchdog (magic close) and closes it: the clean stop. Nothing when off.
    func closeCleanly() {
        guard fd != nil else { return }
        disarm()
        log.info("hardware watchdog disarmed (clean stop)")
    }

    /// The magic close: `V`, then close; the driver stops the countdown.
    private func disarm() {
        task?.cancel()
        task = nil
        guard let fd else { return }
        var byte = UInt8(ascii: "V")
        _ = write(fd.rawValue, &byte, 1)
        fd.close()
        self.fd = nil
        timeoutSeconds = 0
    }
}
