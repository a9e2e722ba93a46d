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
final class WatchdogFeeder {
    // _IOWR('W', 6, int) and _IOR('W', 7, int) from <linux/watchdog.h>; the same numbers on
    // arm64 and x86_64, spelled out because Swift cannot import the _IOWR macros.
    static let setTimeoutRequest: UInt = 0xC004_5706
    static let getTimeoutRequest: UInt = 0x8004_5707
    static let defaultPath = "/dev/watchdog"

    private let fd: FileDescriptor
    private var task: FixedRateTask?
    /// The timeout the driver settled on (it may round or clamp what was asked).
    let timeoutSeconds: Int32
    private let log = Logger("watchdog")
    /// Asked before each feed: whether what the supervisor watches is still alive.
    var isAlive: () -> Bool = { true }
    private var starving = false

    /// Opens and arms `path` with `seconds` and starts feeding it on `loop`; nil (logged) when
    /// `seconds` is 0 or there is no watchdog device.
    static func start(path: String = defaultPath, seconds: Int, loop: EventLoop) -> WatchdogFeeder? {
        let log = Logger("watchdog")
        guard seconds > 0 else {
            log.info("watchdog.timeout_s is 0: the hardware watchdog stays off")
            return nil
        }
        let fd: FileDescriptor
        do throws(RuntimeError) { fd = try FileDescriptor.open(path, flags: O_WRONLY) } catch {
            log.info("no hardware watchdog (" + error.description + "): a hung supervisor is not reset")
            return nil
        }
        return WatchdogFeeder(fd: fd, seconds: seconds, loop: loop)
    }

    private init(fd: FileDescriptor, seconds: Int, loop: EventLoop) {
        self.fd = fd
        var value = Int32(seconds)
        if sy_ioctl_int(fd.rawValue, WatchdogFeeder.setTimeoutRequest, &value) != 0 {
            // Drivers without WDIOF_SETTIMEOUT keep their own; ask which.
            log.warning("cannot set the watchdog timeout to " + String(seconds) + " s: " + Errno.current.description)
            if sy_ioctl_int(fd.rawValue, WatchdogFeeder.getTimeoutRequest, &value) != 0 { value = Int32(seconds) }
        }
        timeoutSeconds = value
        let period = Interval.milliseconds(Int64(max(1, value)) * 1000 / 3)
        feed()
        task = loop.addTask("watchdog", every: period, firstDelay: period) { [self] in self.feed() }
        log.info("hardware watchdog armed: the board resets after " + String(value) + " s without the supervisor")
    }

    private func feed() {
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

    /// Disarms the watchdog (magic close) and closes it: the clean stop.
    func closeCleanly() {
        task?.cancel()
        task = nil
        var byte = UInt8(ascii: "V")
        _ = write(fd.rawValue, &byte, 1)
        fd.close()
        log.info("hardware watchdog disarmed (clean stop)")
    }
}
